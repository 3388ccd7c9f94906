// The inbox's live part: connects to the staff chat hub as the chosen staff member (which
// makes them "online" for chat routing) and shows new messages as they are stored. Without
// script the page still works: the reply form posts and the list is read on every load.
(function () {
  const me = document.getElementById("online");
  if (!me || !window.signalR) { return; }
  const status = document.getElementById("live-status");
  const thread = document.getElementById("thread");
  const list = document.getElementById("messages");
  const threads = document.getElementById("threads");
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
      if (m.attachments && m.attachments.length) {
        const files = document.createElement("ul");
        files.className = "attachments";
        m.attachments.forEach(function (a) {
          const item = document.createElement("li");
          const link = document.createElement("a");
          link.href = "/dashboard/inbox?handler=Attachment&id=" + encodeURIComponent(a.id);
          link.setAttribute("download", a.fileName);
          link.dataset.attachment = a.id;
          link.textContent = "📎 " + a.fileName;
          item.append(link);
          files.append(item);
        });
        li.append(files);
      }
      list.append(li);
      list.scrollTop = list.scrollHeight;
    } else {
      const item = document.querySelector('#threads li[data-thread="' + m.threadId + '"]');
      if (item) {
        item.classList.add("fresh");
        const preview = item.querySelector(".preview");
        if (preview) { preview.textContent = m.body; }
      } else if (threads) {
        // A conversation the page does not list yet (a new text, email or chat): add it on top.
        const li = document.createElement("li");
        li.dataset.thread = m.threadId;
        li.className = "fresh";
        const link = document.createElement("a");
        link.href = "/dashboard/inbox?thread=" + encodeURIComponent(m.threadId);
        const who = document.createElement("strong");
        who.textContent = m.customerName || ("Customer #" + m.customerId);
        const meta = document.createElement("span");
        meta.className = "muted";
        meta.textContent = " " + m.channel + " · new";
        const preview = document.createElement("span");
        preview.className = "preview";
        preview.textContent = m.body;
        link.append(who, meta, preview);
        li.append(link);
        threads.prepend(li);
      }
    }
  });
  connection.onreconnecting(function () { status.textContent = "Reconnecting…"; });
  connection.onreconnected(function () { status.textContent = "Online: your customers' chats come to you."; });
  connection.start()
    .then(function () { status.textContent = "Online: your customers' chats come to you."; })
    .catch(function (e) { status.textContent = "Live chat unavailable (" + e + "); replies still work."; });
})();
