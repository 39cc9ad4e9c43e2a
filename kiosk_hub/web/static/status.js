// The ticket's status page follows its ticket live (server-sent events): place in the queue, expected wait, and a
// banner "go to room …" (with a vibration where the phone allows) the moment a room calls the number.
"use strict";
(function () {
  var body = document.body;
  if (!window.EventSource || !body.dataset.events) { return; }
  var live = document.getElementById("live");
  var lastStatus = null;
  function show(id, vi, en) {
    var node = document.getElementById(id);
    node.textContent = vi;
    if (en) {
      node.appendChild(document.createElement("br"));
      var span = document.createElement("span");
      span.className = "en";
      span.textContent = en;
      node.appendChild(span);
    }
  }
  function update(ticket) {
    show("state", ticket.state_vi, ticket.state_en);
    var banner = document.getElementById("banner");
    var called = ticket.status === "called";
    banner.hidden = !called;
    body.dataset.status = ticket.status;
    if (called) {
      show("banner", "Mời đến " + ticket.room_vi + (ticket.where_vi ? " — " + ticket.where_vi : ""),
           "Please go to " + ticket.room_en + (ticket.where_en ? " — " + ticket.where_en : ""));
      if (lastStatus !== "called" && navigator.vibrate) { navigator.vibrate([300, 150, 300]); }
    }
    var wait = document.getElementById("wait");
    if (wait && ticket.wait_minutes !== null && ticket.wait_minutes !== undefined) {
      wait.textContent = "~" + ticket.wait_minutes + " phút / min";
    }
    lastStatus = ticket.status;
  }
  var source = new EventSource(body.dataset.events);
  source.addEventListener("ticket", function (event) {
    live.textContent = "Đang cập nhật trực tiếp · Live";
    update(JSON.parse(event.data));
  });
  source.addEventListener("ping", function () { live.textContent = "Đang cập nhật trực tiếp · Live"; });
  source.addEventListener("error", function () { live.textContent = "Mất kết nối — đang thử lại · Disconnected — retrying"; });
})();
