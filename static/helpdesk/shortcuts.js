/* Keyboard shortcuts of the back office's ticket list and ticket page (plain JS, no build).
   A page registers its keys with HelpdeskShortcuts.on({key: handler}); keys are ignored while
   typing in a field, and "?" opens or closes the page's help (#shortcuts-help). */
(function () {
  "use strict";
  var handlers = {};

  function typing(target) {
    var tag = (target && target.tagName) || "";
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    var key = event.key;
    if (key === "?") {
      var help = document.getElementById("shortcuts-help");
      if (help) {
        help.open = !help.open;
        if (help.open) help.scrollIntoView({ block: "nearest" });
        event.preventDefault();
      }
      return;
    }
    if (handlers[key]) {
      event.preventDefault();
      handlers[key](event);
    }
  });

  /* j/k over a list of elements: the current one is marked and scrolled into view. */
  function stepper(items, onMove) {
    var index = -1;
    return function (delta) {
      var list = items();
      if (!list.length) return null;
      index = Math.max(0, Math.min(list.length - 1, index + delta));
      onMove(list, index);
      return list[index];
    };
  }

  window.HelpdeskShortcuts = {
    on: function (map) {
      Object.keys(map).forEach(function (key) { handlers[key] = map[key]; });
    },
    stepper: stepper,
  };

  /* The ticket list: j/k choose a row, o or Enter opens it, a assigns it to me (the list's own
     "Assign to me" action, on that row only). */
  document.addEventListener("DOMContentLoaded", function () {
    var table = document.getElementById("result_list");
    if (!table) return;
    var current = null;
    var step = stepper(
      function () { return Array.prototype.slice.call(table.querySelectorAll("tbody tr")); },
      function (rows, index) {
        rows.forEach(function (row) { row.classList.remove("shortcut-current"); });
        current = rows[index];
        current.classList.add("shortcut-current");
        current.scrollIntoView({ block: "nearest" });
      }
    );
    function open() {
      var link = current && current.querySelector("th a, td a");
      if (link) window.location.href = link.href;
    }
    window.HelpdeskShortcuts.on({
      j: function () { step(1); },
      k: function () { step(-1); },
      o: open,
      Enter: open,
      a: function () {
        var form = document.getElementById("changelist-form");
        var action = form && form.querySelector("select[name=action]");
        if (!current || !action) return;
        form.querySelectorAll("input.action-select").forEach(function (box) { box.checked = false; });
        var box = current.querySelector("input.action-select");
        if (!box) return;
        box.checked = true;
        action.value = "assign_to_me";
        form.submit();
      },
    });
  });
})();
