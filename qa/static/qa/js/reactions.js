// 👍 💡 ❓ on answers. Without this script the three buttons are one small form, each button
// posting to its own address: the server records the reaction and sends the reader back to
// the answer. With it, the same press is sent with fetch and the button's count and pressed
// state change in place, with no reload. Anything but a JSON answer (signed out meanwhile,
// an error) sends the press the plain way, so the reader sees what the server has to say.
(function () {
  function show(button, reaction) {
    button.setAttribute("aria-pressed", reaction.pressed ? "true" : "false");
    button.classList.toggle("reaction--on", reaction.pressed);
    button.querySelector("[data-reaction-count]").textContent = String(reaction.count);
    // The next press takes it back, or gives it again.
    button.value = reaction.pressed ? "0" : "1";
  }

  function send(event) {
    var form = event.target;
    var button = event.submitter;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-reaction")) {
      return;
    }
    if (form.hasAttribute("data-plain") || !button) {
      return; // sent the plain way, below
    }
    event.preventDefault();
    if (button.getAttribute("aria-busy") === "true") {
      return; // a double click: the first press is still on its way
    }
    button.setAttribute("aria-busy", "true");
    fetch(button.formAction, {
      method: "POST",
      body: new FormData(form, button),
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
        button.removeAttribute("aria-busy");
        show(button, reaction);
      })
      .catch(function () {
        button.removeAttribute("aria-busy");
        form.setAttribute("data-plain", "");
        form.requestSubmit(button);
      });
  }

  document.addEventListener("submit", send);
})();
