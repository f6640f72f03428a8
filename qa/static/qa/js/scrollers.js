// Code blocks and tables scroll sideways inside their box when they are wider than the
// screen. A box that scrolls gets a tab stop so that keyboard users can scroll it as well
// (not every browser gives it one); a box that fits gets none and costs no Tab press.
(function () {
  var BOXES = ".markdown-body pre, .markdown-body table, .table-scroll";
  var GIVEN = "data-scroll-tabstop";

  function update() {
    document.querySelectorAll(BOXES).forEach(function (box) {
      var scrolls = box.scrollWidth > box.clientWidth;
      if (scrolls && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.setAttribute(GIVEN, "");
      } else if (!scrolls && box.hasAttribute(GIVEN)) {
        box.removeAttribute("tabindex");
        box.removeAttribute(GIVEN);
      }
    });
  }

  var pending = null;
  function later() {
    window.cancelAnimationFrame(pending);
    pending = window.requestAnimationFrame(update);
  }

  document.addEventListener("DOMContentLoaded", update);
  window.addEventListener("resize", later);
  // The editor's live preview replaces its HTML on each change; markdownx announces that
  // with an event that does not bubble, so it is caught on its way down instead.
  document.addEventListener("markdownx.update", update, true);
})();
