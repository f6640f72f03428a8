// 👍 💡 ❓ on answers. Without this script each button is a small form: the server records the
// reaction and sends the reader back to the answer. With it, the same form is sent with fetch
// and the button's count and pressed state change in place, with no reload. Anything but a
// JSON answer (signed out meanwhile, an error) sends the form the plain way, so the reader
// sees what the server has to say.
(function () {
  function show(form, reaction) {
    var button = form.querySelector("button");
    button.setAttribute("aria-pressed", reaction.pressed ? "true" : "false");
    button.classList.toggle("reaction--on", reaction.pressed);
    form.querySelector("[data-reaction-count]").textContent = String(reaction.count);
    // The next press takes it back, or gives it again.
    form.querySelector("input[name=pressed]").value = reaction.pressed ? "0" : "1";
  }

  function send(event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-reaction")) {
      return;
    }
    event.preventDefault();
    if (form.getAttribute("aria-busy") === "true") {
      return; // a double click: the first press is still on its way
    }
    form.setAttribute("aria-busy", "true");
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (!response.ok || type.indexOf("application/json") !== 0) {
          throw new Error("not a reaction");
        }
        return response.json();
      })
      .then(function (reaction) {
        form.removeAttribute("aria-busy");
        show(form, reaction);
      })
      .catch(function () {
        form.removeAttribute("aria-busy");
        form.submit();
      });
  }

  document.addEventListener("submit", send);
})();
