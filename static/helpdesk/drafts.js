// Drafts that survive a reload, a crash and an expired session.
//
// A form marked data-draft="<key>" (the key names the user and the page) keeps what is typed in
// the browser's localStorage as it is typed. When the page opens again with the form empty (a
// reload, or the login form sending the customer back after the session expired), the draft is
// put back. The server says a send succeeded by rendering an element with
// data-draft-clear="<key>": only then is the draft forgotten, so a send refused or lost on the
// way keeps it. Files cannot be kept: browsers do not let a page refill a file input.
(function () {
  "use strict";
  var PREFIX = "helpdesk-draft:";
  var SKIPPED_TYPES = ["file", "hidden", "password", "submit", "button"];

  function storage() {
    try {
      return window.localStorage;
    } catch (error) {
      return null; // private mode or storage disabled: the form still works, without drafts
    }
  }

  function fields(form) {
    return Array.prototype.filter.call(form.elements, function (field) {
      return field.name && SKIPPED_TYPES.indexOf(field.type) === -1;
    });
  }

  function read(form) {
    var values = {};
    fields(form).forEach(function (field) {
      if (field.type === "radio" || field.type === "checkbox") {
        if (field.checked) (values[field.name] = values[field.name] || []).push(field.value);
      } else {
        values[field.name] = field.value;
      }
    });
    return values;
  }

  function typed(form) {
    return fields(form).some(function (field) {
      return (field.tagName === "TEXTAREA" || field.type === "text") && field.value.trim();
    });
  }

  function hasText(values) {
    return Object.keys(values).some(function (name) {
      return typeof values[name] === "string" && values[name].trim();
    });
  }

  function restore(form, values) {
    fields(form).forEach(function (field) {
      if (!(field.name in values)) return;
      var value = values[field.name];
      if (field.type === "radio" || field.type === "checkbox") {
        field.checked = Array.isArray(value) && value.indexOf(field.value) !== -1;
      } else if (typeof value === "string") {
        field.value = value;
      }
    });
  }

  function start() {
    var store = storage();
    if (!store) return;
    document.querySelectorAll("[data-draft-clear]").forEach(function (marker) {
      store.removeItem(PREFIX + marker.dataset.draftClear);
    });
    var url = new URL(window.location.href);
    if (url.searchParams.has("sent") && window.history.replaceState) {
      // A reload of this address must not forget a newer draft of the reply.
      url.searchParams.delete("sent");
      window.history.replaceState(null, "", url.pathname + url.search + url.hash);
    }
    document.querySelectorAll("form[data-draft]").forEach(function (form) {
      var key = PREFIX + form.dataset.draft;
      var saved = null;
      try {
        saved = JSON.parse(store.getItem(key) || "null");
      } catch (error) {
        store.removeItem(key);
      }
      // A form the server sent back filled (a refused send) already holds the newest text.
      if (saved && hasText(saved) && !typed(form)) {
        restore(form, saved);
        var note = form.querySelector("[data-draft-note]");
        if (note) note.hidden = false;
      }
      var save = function () {
        var values = read(form);
        if (hasText(values)) store.setItem(key, JSON.stringify(values));
        else store.removeItem(key);
      };
      form.addEventListener("input", save);
      form.addEventListener("change", save);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
