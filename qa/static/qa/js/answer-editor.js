// The answer editor (django-markdownx).
document.addEventListener("DOMContentLoaded", function () {
  var status = document.querySelector("[data-editor-status]");
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

    // When the server refuses an image, show its reason instead of the "Invalid response"
    // text markdownx would otherwise type into the answer.
    parent.addEventListener("markdownx.fileUploadError", function (event) {
      var response = event.detail && event.detail[0];
      var text = editor.value;
      var start = editor.selectionStart;
      var end = editor.selectionEnd;
      // markdownx inserts its text right after this event; put the answer back as it was.
      window.setTimeout(function () {
        editor.value = text;
        editor.setSelectionRange(start, end);
        editor.dispatchEvent(new Event("input"));
      }, 0);
      if (status) {
        status.textContent = (response && response.error) || status.dataset.uploadFailed;
      }
    });
    parent.addEventListener("markdownx.fileUploadEnd", function () {
      if (status) {
        status.textContent = "";
      }
    });
  });
});
