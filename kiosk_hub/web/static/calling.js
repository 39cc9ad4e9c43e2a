// The room's calling page: counter-terminal keys (Space or F1 calls the next number; R recall, S start, D done,
// N no-show act on the first ticket at the room) and a refresh of the lists every few seconds, so the page follows
// the kiosks and the other rooms without reloading while staff type. Forms work without this script too.
"use strict";
(function () {
  var page = document.getElementById("calling");
  if (!page) { return; }
  var NAMES = { " ": "Space", "Spacebar": "Space", "F1": "F1", "Enter": "Enter", "+": "+" };
  function typing() {
    var active = document.activeElement;
    return active && /^(INPUT|SELECT|TEXTAREA)$/.test(active.tagName) && active.type !== "hidden";
  }
  document.addEventListener("keydown", function (event) {
    if (typing() || event.ctrlKey || event.altKey || event.metaKey) { return; }
    var key = NAMES[event.key] || (event.key.length === 1 ? event.key.toUpperCase() : null);
    if (!key) { return; }
    var forms = document.querySelectorAll("form[data-key]");
    for (var i = 0; i < forms.length; i++) {
      var keys = forms[i].dataset.key.split(" ");
      var button = forms[i].querySelector("button");
      if (keys.indexOf(key) >= 0 && button && !button.disabled) {
        event.preventDefault();
        forms[i].requestSubmit();
        return;
      }
    }
  });
  function refresh() {
    var live = document.getElementById("live");
    if (!live || (typing() && live.contains(document.activeElement))) { return; }
    fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (answer) { return answer.ok ? answer.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("live");
        if (fresh && !(typing() && live.contains(document.activeElement))) { live.replaceWith(fresh); }
      })
      .catch(function () { /* the next round tries again */ });
  }
  setInterval(refresh, 4000);
})();
