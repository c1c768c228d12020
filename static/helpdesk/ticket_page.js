/* The ticket page for working: presence (who else has it open, who is typing), news of a
   message that arrived since the page was drawn, the conversation scrolled to its newest end,
   and the page's keyboard shortcuts. Everything here only adds to a page that works without it.
   Texts come translated from the page's data-* attributes. */
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", function () {
    var page = document.getElementById("ticket-page");
    if (!page) return;
    var replyBox = document.getElementById("reply-box");
    var body = replyBox && replyBox.querySelector("textarea[name=body]");
    var csrf = replyBox && replyBox.querySelector("input[name=csrfmiddlewaretoken]");
    var timeline = document.getElementById("timeline");
    var lastSeen = parseInt(page.dataset.lastMessage || "0", 10);
    var lastTyped = 0;

    /* The newest entry in view: the bottom of the list, or its top when newest first. */
    if (timeline && timeline.dataset.newestFirst !== "1") timeline.scrollTop = timeline.scrollHeight;

    if (body) body.addEventListener("input", function () { lastTyped = Date.now(); });

    function text(value) { return document.createTextNode(value); }

    function showColleagues(colleagues) {
      var box = document.getElementById("ticket-presence");
      if (!box) return;
      var names = box.querySelector(".ticket-presence-names");
      names.textContent = "";
      colleagues.forEach(function (colleague, index) {
        if (index) names.appendChild(text(", "));
        names.appendChild(text(colleague.name));
        if (colleague.typing) {
          var em = document.createElement("em");
          em.textContent = " (" + page.dataset.textTyping + ")";
          names.appendChild(em);
        }
      });
      box.hidden = colleagues.length === 0;
    }

    function showNews(latest) {
      var news = document.getElementById("ticket-news");
      if (!news || latest <= lastSeen || !news.hidden) return;
      news.textContent = page.dataset.textNewMessage + " ";
      var link = document.createElement("a");
      link.href = window.location.pathname;
      link.textContent = page.dataset.textReload;
      news.appendChild(link);
      news.hidden = false;
    }

    /* The clocks' badges as the server counts them now (business time, its own calendar). */
    function showClocks(clocks) {
      clocks.forEach(function (clock) {
        var item = document.querySelector('.clock-badges li[data-clock="' + clock.code + '"]');
        var badge = item && item.querySelector(".sla");
        if (!badge) return;
        badge.className = "sla sla-" + clock.state;
        var strong = document.createElement("strong");
        strong.textContent = clock.label;
        badge.textContent = "";
        badge.appendChild(strong);
        badge.appendChild(text(" · " + clock.text));
      });
    }

    function poll() {
      if (!csrf) return;
      var data = new FormData();
      data.append("csrfmiddlewaretoken", csrf.value);
      var typing = body && body.value.trim() && Date.now() - lastTyped < 15000;
      data.append("typing", typing ? "1" : "0");
      fetch(page.dataset.presenceUrl, { method: "POST", body: data, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (answer) {
          if (!answer) return;
          showColleagues(answer.colleagues || []);
          showNews(answer.latest_message || 0);
          showClocks(answer.clocks || []);
        })
        .catch(function () { /* the next poll tries again */ });
    }

    var seconds = parseInt(page.dataset.pollSeconds || "12", 10);
    poll();
    var timer = window.setInterval(poll, seconds * 1000);
    var typingSent = false;
    if (body) {
      body.addEventListener("input", function () {
        if (!typingSent) { typingSent = true; poll(); } /* colleagues learn it at once */
      });
    }

    window.addEventListener("pagehide", function () {
      window.clearInterval(timer);
      if (!csrf || !navigator.sendBeacon) return;
      var data = new FormData();
      data.append("csrfmiddlewaretoken", csrf.value);
      data.append("leave", "1");
      navigator.sendBeacon(page.dataset.presenceUrl, data);
    });

    /* Keyboard: j/k through the conversation, r reply, n internal note, a assign to me. */
    if (!window.HelpdeskShortcuts) return;
    var step = window.HelpdeskShortcuts.stepper(
      function () { return timeline ? Array.prototype.slice.call(timeline.querySelectorAll("li")) : []; },
      function (items, index) { items[index].focus(); }
    );
    function write(response) {
      if (!body) return;
      replyBox.querySelectorAll("button[data-response]").forEach(function (button) {
        button.classList.toggle("armed", button.dataset.response === response);
      });
      replyBox.dataset.armed = response;
      body.focus();
      body.scrollIntoView({ block: "center" });
    }
    /* Ctrl+Enter in the reply box sends with the armed button (reply unless n was pressed). */
    if (body) {
      body.addEventListener("keydown", function (event) {
        if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey)) return;
        var armed = replyBox.dataset.armed || "reply";
        var button = replyBox.querySelector('button[data-response="' + armed + '"]');
        if (button) { event.preventDefault(); button.click(); }
      });
    }
    window.HelpdeskShortcuts.on({
      j: function () { step(1); },
      k: function () { step(-1); },
      r: function () { write("reply"); },
      n: function () { write("note"); },
      a: function () {
        var button = document.querySelector("#assign-to-me button");
        if (button) button.click();
      },
    });
  });
})();
