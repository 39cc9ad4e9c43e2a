// The waiting-room screen: follows the hub's stream of calls (server-sent events), shows the current call, the last
// calls and each room's queue, plays each announcement after the previous one ends, and says plainly when it has
// lost the hub ("Mất kết nối") while it reconnects. A file: the page's policy allows no inline script.
"use strict";
(function () {
  var body = document.body;
  var stale = document.getElementById("stale");
  var audio = document.getElementById("voice");
  var STALE_AFTER_MS = 12000; // the hub pings every 5 s
  var lastHeard = 0;
  var source = null;
  var queue = [];
  var playing = false;
  var volume = 0.8;
  window.calledVoices = []; // what was played, in order (the display box's own log; tests read it)

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }
  function setStale(on) {
    stale.hidden = !on;
    body.classList.toggle("is-stale", on);
  }
  function heard() {
    lastHeard = Date.now();
    setStale(false);
  }
  function showState(state) {
    volume = Math.max(0, Math.min(1, state.volume / 100));
    var recent = document.getElementById("recent");
    recent.replaceChildren.apply(recent, state.recent.map(function (call) {
      var li = el("li");
      li.append(el("span", "num", call.number), el("span", "", call.room_vi));
      return li;
    }));
    var rooms = document.getElementById("rooms");
    rooms.replaceChildren.apply(rooms, state.rooms.map(function (room) {
      var tr = el("tr", room.state);
      var name = el("td");
      name.append(el("div", "", room.name_vi), el("div", "en", room.location_vi));
      var wait = room.state === "open" ? "~" + room.expected_wait + " phút" : (room.state === "paused" ? "Tạm nghỉ · Paused" : "Đóng · Closed");
      tr.append(name, el("td", "num", room.current || "—"), el("td", "", String(room.waiting)), el("td", "", wait));
      return tr;
    }));
  }
  function showCall(call) {
    document.getElementById("now-number").textContent = call.number;
    document.getElementById("now-room").textContent = call.room_vi + (call.where_vi ? " — " + call.where_vi : "");
    document.getElementById("now-room-en").textContent = call.room_en;
    body.dataset.lastCall = call.number;
    var current = document.getElementById("current");
    current.classList.add("flash");
    setTimeout(function () { current.classList.remove("flash"); }, 3000);
    if (call.voice) {
      queue.push(call.voice);
      playNext();
    }
  }
  function playNext() {
    if (playing || queue.length === 0) { return; }
    playing = true;
    var next = queue.shift();
    audio.volume = volume;
    audio.src = next;
    window.calledVoices.push(next);
    var started = audio.play();
    if (started && started.catch) {
      started.catch(function () { playing = false; playNext(); });
    }
  }
  audio.addEventListener("ended", function () { playing = false; playNext(); });
  audio.addEventListener("error", function () { playing = false; playNext(); });

  function connect() {
    if (source) { source.close(); }
    source = new EventSource(body.dataset.events);
    source.addEventListener("state", function (event) { heard(); showState(JSON.parse(event.data)); });
    source.addEventListener("call", function (event) { heard(); showCall(JSON.parse(event.data)); });
    source.addEventListener("ping", heard);
    source.addEventListener("error", function () {
      setStale(true);
      if (source.readyState === EventSource.CLOSED) { setTimeout(connect, 3000); }
    });
  }
  setInterval(function () {
    if (Date.now() - lastHeard > STALE_AFTER_MS) {
      setStale(true);
      connect();
      lastHeard = Date.now() - STALE_AFTER_MS / 2; // try again in a few seconds, not every tick
    }
  }, 2000);
  setStale(true);
  connect();
})();
