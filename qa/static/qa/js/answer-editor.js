// The answer editor (django-markdownx).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll(".markdownx").forEach(function (parent) {
    var editor = parent.querySelector("textarea");

    // The preview looks like the saved answer on the board: same tables, code and quotes.
    parent.querySelector(".markdownx-preview").classList.add("markdown-body");

    // markdownx turns Tab into indentation, which would trap keyboard users in the text box.
    // After Esc the next Tab or Shift+Tab moves focus as usual; the help text says so.
    // markdownx listens on the text box itself, so stopping the key here, on its way down,
    // keeps it from indenting while the browser still moves the focus.
    var leaving = false;
    parent.addEventListener("keydown", function (event) {
      if (event.target !== editor) {
        return;
      }
      if (event.key === "Escape") {
        leaving = true;
      } else if (event.key === "Tab" && leaving) {
        event.stopPropagation();
      } else if (event.key !== "Shift") {
        leaving = false;
      }
    }, true);
    editor.addEventListener("focus", function () {
      leaving = false;
    });
  });
});
