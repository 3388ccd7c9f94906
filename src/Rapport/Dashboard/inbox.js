// The inbox's live part: connects to the staff chat hub as the chosen staff member (which
// makes them "online" for chat routing) and shows new messages as they are stored. Without
// script the page still works: the reply form posts and the list is read on every load.
(function () {
  const me = document.getElementById("online");
  if (!me || !window.signalR) { return; }
  const status = document.getElementById("live-status");
  const thread = document.getElementById("thread");
  const list = document.getElementById("messages");
  const connection = new signalR.HubConnectionBuilder()
    .withUrl("/dashboard/chat/hub?staffId=" + encodeURIComponent(me.dataset.staff))
    .withAutomaticReconnect()
    .build();
  connection.on("message", function (m) {
    if (thread && list && String(m.threadId) === thread.dataset.thread) {
      const li = document.createElement("li");
      li.className = "msg " + m.direction;
      const meta = document.createElement("span");
      meta.className = "muted";
      meta.textContent = new Date(m.at).toISOString().slice(0, 16).replace("T", " ") + " UTC · " + m.channel + " · " + (m.staffName || m.author);
      const body = document.createElement("p");
      body.textContent = m.body;
      li.append(meta, body);
      list.append(li);
      list.scrollTop = list.scrollHeight;
    } else {
      const item = document.querySelector('#threads li[data-thread="' + m.threadId + '"]');
      if (item) { item.classList.add("fresh"); } else if (status) { status.textContent = "New conversation waiting: reload to see it."; }
    }
  });
  connection.onreconnecting(function () { status.textContent = "Reconnecting…"; });
  connection.onreconnected(function () { status.textContent = "Online: your customers' chats come to you."; });
  connection.start()
    .then(function () { status.textContent = "Online: your customers' chats come to you."; })
    .catch(function (e) { status.textContent = "Live chat unavailable (" + e + "); replies still work."; });
})();
