// The answer editor (django-markdownx): when the server refuses an image, show its reason
// instead of the "Invalid response" text markdownx would otherwise type into the answer.
document.addEventListener("DOMContentLoaded", function () {
  var status = document.querySelector("[data-editor-status]");
  document.querySelectorAll(".markdownx").forEach(function (parent) {
    var editor = parent.querySelector("textarea");
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
