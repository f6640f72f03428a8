// Images in the answer editor. A button opens the file picker (a phone cannot drag and drop),
// and images pasted or dropped onto the text go the same way: posted with the form's CSRF
// token to the upload view markdownx's widget names (data-markdownx-upload-urls-path), and
// the Markdown it answers with replaces a placeholder left at the cursor, so typing on while
// an image uploads is safe. Without this script the button stays hidden.
document.addEventListener("DOMContentLoaded", function () {
  function Refused(reason) {
    this.reason = reason || "";
  }

  document.querySelectorAll(".markdownx").forEach(function (parent) {
    var editor = parent.querySelector("textarea");
    var form = editor && editor.form;
    var url = editor && editor.getAttribute("data-markdownx-upload-urls-path");
    var tools = form && form.querySelector("[data-image-tools]");
    if (!url || !tools) {
      return;
    }
    var button = tools.querySelector("[data-image-button]");
    var input = tools.querySelector("[data-image-input]");
    var status = form.querySelector("[data-editor-status]");
    var uploads = 0;
    var busy = 0;

    function say(text, state) {
      status.textContent = text;
      status.setAttribute("data-state", state || "");
    }

    // Typing into the box the script's way: markdownx refreshes the preview on "input".
    function changed() {
      editor.dispatchEvent(new Event("input", { bubbles: true }));
    }

    function insertAtCursor(text) {
      editor.setRangeText(text, editor.selectionStart, editor.selectionEnd, "end");
      changed();
    }

    function settle(placeholder, text) {
      var at = editor.value.indexOf(placeholder);
      if (at === -1) {
        // The placeholder was edited away; the image goes where the cursor is now.
        if (text) {
          insertAtCursor(text);
        }
        return;
      }
      var after = at + placeholder.length;
      function moved(position) {
        if (position >= after) {
          return position + text.length - placeholder.length;
        }
        return position <= at ? position : at + text.length;
      }
      // setRangeText's own "preserve" would select the new text when the cursor was right
      // after the placeholder, and the next image would replace it.
      var start = moved(editor.selectionStart);
      var end = moved(editor.selectionEnd);
      editor.setRangeText(text, at, after);
      editor.setSelectionRange(start, end);
      changed();
    }

    function upload(file) {
      uploads += 1;
      busy += 1;
      var placeholder = "![" + tools.getAttribute("data-placeholder") + " " + uploads + "…]()";
      insertAtCursor(placeholder);
      say(tools.getAttribute("data-uploading"), "busy");

      var data = new FormData();
      data.append("image", file);
      data.append("csrfmiddlewaretoken", form.elements.csrfmiddlewaretoken.value);
      fetch(url, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "X-Requested-With": "XMLHttpRequest" },
      })
        .then(function (response) {
          // A refusal from the view is JSON with its reason; a proxy's or a CSRF failure's
          // page is not, and gets the general message.
          return response.json().catch(function () {
            return {};
          }).then(function (body) {
            if (!response.ok || !body.image_code) {
              throw new Refused(body.error);
            }
            return body.image_code;
          });
        })
        .then(
          function (markdown) {
            busy -= 1;
            settle(placeholder, markdown);
            if (!busy && status.getAttribute("data-state") === "busy") {
              say("");
            }
          },
          function (error) {
            busy -= 1;
            settle(placeholder, "");
            // The server's reason when it gave one (too large, not an image, signed out).
            var reason = error instanceof Refused && error.reason;
            say(reason || status.getAttribute("data-upload-failed"), "error");
          }
        );
    }

    // Saved now, the answer would keep the placeholder instead of the image.
    form.addEventListener("submit", function (event) {
      if (busy) {
        event.preventDefault();
        say(tools.getAttribute("data-wait"), "error");
      }
    });

    function uploadAll(files) {
      Array.prototype.forEach.call(files, upload);
    }

    tools.hidden = false;
    button.addEventListener("click", function () {
      input.click();
    });
    input.addEventListener("change", function () {
      uploadAll(input.files);
      input.value = ""; // choosing the same file again is a new upload
    });

    // markdownx uploads pasted and dropped files itself, with none of the above; these
    // listeners run first, on the way down, and keep such events from reaching it. Text
    // is left alone.
    function takeFiles(event, transfer) {
      if (event.target !== editor || !transfer || !transfer.files.length) {
        return;
      }
      event.preventDefault();
      event.stopPropagation();
      editor.focus();
      uploadAll(transfer.files);
    }
    parent.addEventListener("paste", function (event) {
      takeFiles(event, event.clipboardData);
    }, true);
    parent.addEventListener("drop", function (event) {
      takeFiles(event, event.dataTransfer);
    }, true);
  });
});
