// Progressive enhancement of the feature-request pages: the plain forms work without this.
(function () {
  "use strict";

  function csrfOf(form) {
    var field = form.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  // Vote / follow without a page reload: post the same form, asking for JSON.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("fr-toggle") || !window.fetch) return;
    event.preventDefault();
    var button = form.querySelector("button");
    button.disabled = true;
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { "Accept": "application/json", "X-CSRFToken": csrfOf(form) },
      credentials: "same-origin"
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (result) {
      button.disabled = false;
      var box = form.closest(".fr-actions");
      // The fallback comes translated from the page (data-error): no text is written here.
      if (!result.ok) { window.alert(result.data.error || box.dataset.error); return; }
      var votes = box.querySelector("[data-votes]");
      votes.dataset.votes = result.data.votes;
      votes.textContent = result.data.votes_text;
      box.querySelectorAll("form.fr-toggle").forEach(function (toggle) {
        var on = toggle.dataset.kind === "vote" ? result.data.voted : result.data.subscribed;
        var toggleButton = toggle.querySelector("button");
        toggle.action = on ? toggle.dataset.on : toggle.dataset.off;
        toggleButton.textContent = on ? toggle.dataset.labelOn : toggle.dataset.labelOff;
        toggleButton.setAttribute("aria-pressed", on ? "true" : "false");
        if (toggle.dataset.kind === "vote") toggleButton.classList.toggle("primary", !on);
      });
    }).catch(function () { button.disabled = false; form.submit(); });
  });

  // Similar requests while the title is typed.
  var newForm = document.getElementById("fr-new");
  if (newForm && window.fetch) {
    var title = newForm.querySelector("input[name=title]");
    var box = document.getElementById("fr-similar");
    var list = box.querySelector("ul");
    var timer = null;
    title.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var url = newForm.dataset.similarUrl + "?title=" + encodeURIComponent(title.value);
        fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
          .then(function (response) { return response.json(); })
          .then(function (data) {
            list.textContent = "";
            data.results.forEach(function (item) {
              var li = document.createElement("li");
              var link = document.createElement("a");
              link.href = item.url;
              link.textContent = item.title;
              li.appendChild(link);
              li.appendChild(
                document.createTextNode(" — " + item.status + " · " + item.votes_text)
              );
              list.appendChild(li);
            });
            box.hidden = data.results.length === 0;
          });
      }, 300);
    });
  }
})();
