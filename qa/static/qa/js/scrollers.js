// Code blocks and tables scroll sideways inside their box when they are wider than the
// screen. A box that scrolls gets a tab stop so that keyboard users can scroll it as well
// (not every browser gives it one); a box that fits gets none and costs no Tab press.
// A .table-scroll box also shows the hint just before it ([data-scroll-hint]) while it
// scrolls, and is marked [data-more-right] while columns are still hidden on its right.
(function () {
  var BOXES = ".markdown-body pre, .markdown-body table, .table-scroll";
  var GIVEN = "data-scroll-tabstop";
  var MORE = "data-more-right";

  function markRight(box) {
    // scrollLeft can be fractional on a zoomed page; a pixel short of the end is the end.
    var more = box.scrollLeft + box.clientWidth < box.scrollWidth - 1;
    box.toggleAttribute(MORE, more);
  }

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
      if (box.classList.contains("table-scroll")) {
        markRight(box);
        var hint = box.previousElementSibling;
        if (hint && hint.hasAttribute("data-scroll-hint")) {
          hint.hidden = !scrolls;
        }
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
  // Scroll events do not bubble; caught on their way down, one listener serves every box.
  document.addEventListener("scroll", function (event) {
    var box = event.target;
    if (box.classList && box.classList.contains("table-scroll")) {
      markRight(box);
    }
  }, true);
  // The editor's live preview replaces its HTML on each change; markdownx announces that
  // with an event that does not bubble, so it is caught on its way down instead.
  document.addEventListener("markdownx.update", update, true);
})();
