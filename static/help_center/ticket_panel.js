// The ticket page's help articles panel: find an article the customer may read and insert a
// Markdown link to it into the reply box (where the caret is).
(function () {
  "use strict";
  const panel = document.getElementById("help-center-panel");
  const reply = document.querySelector("#reply-box textarea");
  if (!panel) return;
  const input = document.getElementById("help-center-q");
  const list = panel.querySelector(".help-center-found");
  const insertLabel = document.getElementById("help-center-insert-label").innerHTML;
  let timer = null;

  function insert(text) {
    if (!reply) return;
    const start = reply.selectionStart ?? reply.value.length;
    const end = reply.selectionEnd ?? reply.value.length;
    reply.value = reply.value.slice(0, start) + text + reply.value.slice(end);
    reply.focus();
    reply.selectionStart = reply.selectionEnd = start + text.length;
    reply.dispatchEvent(new Event("input", { bubbles: true }));
  }

  async function lookUp() {
    const params = new URLSearchParams({ q: input.value.trim() });
    const response = await fetch(`${panel.dataset.url}?${params}`, { headers: { Accept: "application/json" } });
    if (!response.ok) return;
    const data = await response.json();
    list.replaceChildren();
    for (const article of data.results) {
      const item = document.createElement("li");
      const link = document.createElement("a");
      link.href = article.url;
      link.target = "_blank";
      link.textContent = article.title;
      const button = document.createElement("button");
      button.type = "button";
      button.className = "button help-center-insert";
      button.textContent = insertLabel;
      button.addEventListener("click", () => insert(`[${article.title}](${article.url})`));
      item.append(link, " ", button);
      list.appendChild(item);
    }
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(lookUp, 250);
  });
})();
