// Rapport live chat for a shop's pages. Include once, after the page body:
//   <script src="https://rapport.example/chat/widget.js" data-key="WRITE_KEY" data-token="VISITOR_TOKEN"></script>
// data-token for a signed-in customer (your backend gets it from POST /v1/chat/tokens with the
// admin key; a bare user id is not accepted); otherwise data-anonymous-id, else the Segment
// anonymous id (ajs_anonymous_id) or one kept in localStorage. It talks to /chat/hub over
// WebSockets only (no negotiate request, so no CORS set-up on the shop's side); every message
// is stored by Rapport before staff or the visitor see it.
(function () {
  const me = document.currentScript;
  const base = new URL(me.src).origin;
  const key = me.dataset.key;
  function anonymousId() {
    if (me.dataset.anonymousId) { return me.dataset.anonymousId; }
    try {
      const ajs = localStorage.getItem("ajs_anonymous_id");
      if (ajs) { return JSON.parse(ajs); }
      let id = localStorage.getItem("rapport_anonymous_id");
      if (!id) { id = crypto.randomUUID(); localStorage.setItem("rapport_anonymous_id", id); }
      return id;
    } catch (e) { return crypto.randomUUID(); }
  }
  const who = me.dataset.token ? "token=" + encodeURIComponent(me.dataset.token) : "anonymousId=" + encodeURIComponent(anonymousId());

  const box = document.createElement("section");
  box.id = "rapport-chat";
  box.setAttribute("aria-label", "Chat with us");
  box.style.cssText = "position:fixed;right:1rem;bottom:1rem;width:20rem;background:#fff;border:1px solid #ccd;border-radius:8px;font:14px system-ui,sans-serif;box-shadow:0 2px 10px rgba(0,0,0,.15);z-index:2147483000";
  box.innerHTML = '<h2 style="margin:0;padding:.5rem .8rem;font-size:1rem;background:#1f2a44;color:#fff;border-radius:8px 8px 0 0">Chat with us</h2>'
    + '<ol id="rapport-chat-messages" aria-live="polite" style="list-style:none;margin:0;padding:.5rem .8rem;max-height:16rem;overflow-y:auto"></ol>'
    + '<form id="rapport-chat-form" style="display:flex;gap:.4rem;padding:.5rem .8rem">'
    + '<label for="rapport-chat-text" style="position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap">Your message</label>'
    + '<input id="rapport-chat-text" autocomplete="off" maxlength="20000" style="flex:1;padding:.35rem">'
    + '<button type="submit">Send</button></form>'
    + '<p id="rapport-chat-status" style="margin:0;padding:0 .8rem .5rem;color:#667;font-size:12px">Connecting…</p>';
  document.body.append(box);
  const list = box.querySelector("#rapport-chat-messages");
  const status = box.querySelector("#rapport-chat-status");
  const shown = new Set();
  function show(m) {
    if (shown.has(m.id)) { return; }
    shown.add(m.id);
    const li = document.createElement("li");
    li.className = "rapport-chat-" + m.direction;
    li.style.cssText = "margin:.3rem 0;padding:.3rem .5rem;border-radius:6px;background:" + (m.direction === "in" ? "#eef3fb;margin-left:2rem" : "#f1f3f7;margin-right:2rem");
    const author = document.createElement("strong");
    author.textContent = m.direction === "in" ? "You" : (m.staffName || "Shop");
    const text = document.createElement("div");
    text.textContent = m.body;
    li.append(author, text);
    // Files staff sent: the signed link plus who this visitor is (the link alone is not enough).
    (m.files || []).forEach(function (f) {
      const a = document.createElement("a");
      a.href = base + f.url + "&" + who;
      a.download = f.fileName;
      a.className = "rapport-chat-file";
      a.textContent = "📎 " + f.fileName;
      a.style.cssText = "display:block;margin-top:.2rem";
      li.append(a);
    });
    list.append(li);
    list.scrollTop = list.scrollHeight;
  }

  function start() {
    const connection = new signalR.HubConnectionBuilder()
      .withUrl(base + "/chat/hub?" + who, {
        accessTokenFactory: function () { return key; },
        skipNegotiation: true,
        transport: signalR.HttpTransportType.WebSockets,
      })
      .withAutomaticReconnect()
      .build();
    connection.on("message", show);
    connection.onreconnecting(function () { status.textContent = "Reconnecting…"; });
    connection.onreconnected(function () { status.textContent = "Connected"; });
    box.querySelector("#rapport-chat-form").addEventListener("submit", function (e) {
      e.preventDefault();
      const input = box.querySelector("#rapport-chat-text");
      const text = input.value.trim();
      if (!text) { return; }
      connection.invoke("Send", text).then(function () { input.value = ""; })
        .catch(function (err) { status.textContent = "Not sent: " + err.message; });
    });
    connection.start()
      .then(function () { status.textContent = "Connected"; return connection.invoke("History"); })
      .then(function (history) { (history || []).forEach(show); })
      .catch(function (err) { status.textContent = "Chat unavailable: " + err; });
  }

  if (window.signalR) { start(); return; }
  const client = document.createElement("script");
  client.src = base + "/chat/signalr.min.js";
  client.onload = start;
  document.head.append(client);
})();
