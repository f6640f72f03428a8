// "Copy link" on questions and answers. Without this script each is a plain link to the
// question or answer, which a reader can open or copy from the browser's own menu; with it,
// the link becomes a button that puts the address on the clipboard. Browsers without the
// clipboard API (or a page not served over HTTPS) keep the plain link.
(function () {
  function announce(text) {
    var status = document.querySelector("[data-copy-status]");
    if (status) {
      status.textContent = "";
      status.textContent = text;
    }
  }

  function upgrade(link) {
    var button = document.createElement("button");
    var label = link.getAttribute("data-copy-label");
    button.type = "button";
    button.className = "copy-link";
    button.textContent = label;
    button.setAttribute("data-copy-url", link.href);
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(link.href).then(
        function () {
          button.textContent = link.getAttribute("data-copied");
          announce(link.getAttribute("data-copied"));
          window.setTimeout(function () { button.textContent = label; }, 2000);
        },
        function () {
          announce(link.getAttribute("data-copy-failed"));
        }
      );
    });
    link.replaceWith(button);
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!navigator.clipboard || !window.isSecureContext) {
      return;
    }
    document.querySelectorAll("a[data-copy-link]").forEach(upgrade);
  });
})();
