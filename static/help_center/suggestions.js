// Offers help articles while a customer types a new ticket's subject (help_center.views.suggestions).
// "This solved it" records the deflection, tells the form's other scripts (drafts) with a
// "help-center:solved" event so they discard the draft, and leaves for the help center.
(function () {
  "use strict";
  const box = document.getElementById("help-suggestions");
  if (!box) return;
  const subject = document.querySelector(box.dataset.subject);
  const list = box.querySelector("ul");
  const tokenInput = box.querySelector('input[name="help_center_deflection"]');
  const form = subject && subject.form;
  if (!subject || !form) return;
  const csrf = form.querySelector('input[name="csrfmiddlewaretoken"]').value;
  // The token is sent with the ticket form, so the ticket records what it was shown.
  if (tokenInput.form !== form) form.appendChild(tokenInput);
  let timer = null;
  let last = "";

  function render(results) {
    list.replaceChildren();
    for (const result of results) {
      const item = document.createElement("li");
      const link = document.createElement("a");
      link.href = result.url;
      link.target = "_blank";
      link.rel = "noopener";
      link.textContent = result.title;
      const solved = document.createElement("button");
      solved.type = "button";
      solved.className = "help-solved";
      solved.textContent = box.dataset.solvedLabel;
      solved.addEventListener("click", () => markSolved(result.id));
      item.append(link, solved);
      list.appendChild(item);
    }
    box.hidden = results.length === 0;
  }

  async function lookUp() {
    const text = subject.value.trim();
    if (text === last) return;
    last = text;
    if (text.length < 3) { render([]); return; }
    const params = new URLSearchParams({ subject: text, token: tokenInput.value });
    const response = await fetch(`${box.dataset.url}?${params}`, { headers: { Accept: "application/json" } });
    if (!response.ok) return;
    const data = await response.json();
    if (data.token) tokenInput.value = data.token;
    render(data.results);
  }

  async function markSolved(articleId) {
    const body = new URLSearchParams({ article: String(articleId) });
    const response = await fetch(`${box.dataset.url}${tokenInput.value}/solved/`, {
      method: "POST",
      headers: { "X-CSRFToken": csrf, Accept: "application/json" },
      body,
    });
    if (!response.ok) return;
    const data = await response.json();
    form.dispatchEvent(new CustomEvent("help-center:solved", { bubbles: true }));
    form.reset();
    window.location.assign(data.redirect);
  }

  subject.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(lookUp, 300);
  });
  if (subject.value) lookUp();
})();
