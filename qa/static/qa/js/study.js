// Review and mock interviews, keyboard first. Without this script every step is a plain form:
// the answers open with their disclosure, the grades are buttons, the clock shows the time the
// page was opened. With it: Space reveals, 1-4 grade, Ctrl+Enter sends an answer, the clock runs.
(function () {
  function typing(target) {
    return target.closest("textarea, input, select, [contenteditable]") !== null;
  }

  var reveal = document.querySelector("details[data-reveal]");
  var gradeForm = document.querySelector("form[data-review]");

  function gradesShown() {
    return gradeForm && (!reveal || reveal.open);
  }

  if (reveal) {
    reveal.addEventListener("toggle", function () {
      if (reveal.open) {
        var good = reveal.querySelector("button[data-key='3']");
        if (good) good.focus();
      }
    });
  }

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) &&
        target.matches && target.matches("textarea[data-submit-shortcut]")) {
      event.preventDefault();
      target.form.requestSubmit();
      return;
    }
    if (typing(target) || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === " " && reveal && !reveal.open && target.tagName !== "SUMMARY" &&
        target.tagName !== "BUTTON" && target.tagName !== "A") {
      event.preventDefault();
      reveal.open = true;
      return;
    }
    if (/^[1-4]$/.test(event.key) && gradesShown()) {
      var button = gradeForm.querySelector("button[data-key='" + event.key + "']");
      if (button) {
        event.preventDefault();
        button.click();
      }
    }
  });

  // A grade form sends once: a second press while the first is on its way is dropped.
  document.querySelectorAll("form[data-review], form[data-interview-answer]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.sent) event.preventDefault();
      form.dataset.sent = "1";
    });
  });

  var timer = document.querySelector("[data-timer]");
  if (timer) {
    var opened = Date.now() - 1000 * parseInt(timer.getAttribute("data-elapsed") || "0", 10);
    var show = function () {
      var seconds = Math.floor((Date.now() - opened) / 1000);
      var minutes = Math.floor(seconds / 60);
      var rest = seconds % 60;
      timer.textContent = minutes + ":" + (rest < 10 ? "0" : "") + rest;
    };
    show();
    window.setInterval(show, 1000);
  }
})();
