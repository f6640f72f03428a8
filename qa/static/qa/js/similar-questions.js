// The question form's "similar past questions": as the member pauses in typing, the server
// lists earlier questions like the draft and the topics its words suggest. Without this script
// the form works the same; topics left empty are then chosen from the text when it is saved.
(function () {
  var box = document.querySelector("[data-similar]");
  var text = document.getElementById("id_text");
  if (!box || !text || !window.fetch) return;
  var topicsTouched = false;
  var boxes = document.querySelectorAll("input[name=topics]");
  var pending = null;
  var asked = "";
  boxes.forEach(function (input) {
    input.addEventListener("change", function () { topicsTouched = true; });
  });
  if (Array.prototype.some.call(boxes, function (input) { return input.checked; })) {
    topicsTouched = true;
  }

  function suggest() {
    if (topicsTouched) return;
    var suggested = {};
    box.querySelectorAll("[data-topic-id]").forEach(function (topic) {
      suggested[topic.getAttribute("data-topic-id")] = true;
    });
    boxes.forEach(function (input) { input.checked = !!suggested[input.value]; });
  }

  function ask() {
    var draft = text.value.trim();
    if (draft === asked) return;
    asked = draft;
    var url = box.getAttribute("data-similar");
    url += (url.indexOf("?") === -1 ? "?" : "&") + "text=" + encodeURIComponent(draft.slice(0, 2000));
    fetch(url, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) return null;
      return response.text();
    }).then(function (html) {
      if (html === null || draft !== asked) return;
      // The fragment is the server's own template, every member text in it escaped.
      box.innerHTML = html;
      suggest();
    }).catch(function () {});
  }

  text.addEventListener("input", function () {
    window.clearTimeout(pending);
    pending = window.setTimeout(ask, 600);
  });
  if (text.value.trim()) ask();
})();
