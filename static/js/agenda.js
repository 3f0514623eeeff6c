// The agenda editor (templates/agenda/index.html): drag and drop to reorder the
// items of a session. Without JavaScript the Up and Down buttons do the same.
// The new order is posted as the no-JavaScript form would post it, with the
// page's CSRF token; the page then reloads to show the new times.
(function () {
  "use strict";
  var status = document.getElementById("agenda-dnd-status");

  function say(text) {
    if (status) {
      status.textContent = text;
    }
  }

  function itemsOf(list) {
    return Array.prototype.filter.call(list.children, function (child) {
      return child.dataset.itemId && !child.classList.contains("agenda-cancelled");
    });
  }

  function save(list) {
    var order = itemsOf(list).map(function (li) { return li.dataset.itemId; });
    var body = new FormData();
    body.append("order", order.join(","));
    body.append("csrf_token", list.dataset.csrf);
    say(status.dataset.saving);
    fetch(list.dataset.reorderUrl, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.json().catch(function () { return { ok: false }; });
    }).then(function (result) {
      if (result.ok) {
        window.location.reload();
      } else {
        say(result.error || status.dataset.failed);
      }
    }).catch(function () {
      say(status.dataset.offline);
    });
  }

  function setUp(list) {
    var dragged = null;
    itemsOf(list).forEach(function (li) {
      li.setAttribute("draggable", "true");
      var handle = document.createElement("span");
      handle.className = "agenda-drag-handle";
      handle.setAttribute("aria-hidden", "true");
      handle.title = status.dataset.drag;
      handle.textContent = "⠿";
      li.insertBefore(handle, li.firstChild);
      li.addEventListener("dragstart", function (event) {
        dragged = li;
        li.classList.add("agenda-dragging");
        event.dataTransfer.effectAllowed = "move";
        event.dataTransfer.setData("text/plain", li.dataset.itemId);
      });
      li.addEventListener("dragend", function () {
        li.classList.remove("agenda-dragging");
      });
    });
    list.addEventListener("dragover", function (event) {
      if (!dragged || dragged.parentNode !== list) {
        return;
      }
      event.preventDefault();
      var target = event.target.closest ? event.target.closest("li[data-item-id]") : null;
      if (!target || target === dragged || target.parentNode !== list) {
        return;
      }
      var box = target.getBoundingClientRect();
      var after = event.clientY > box.top + box.height / 2;
      list.insertBefore(dragged, after ? target.nextSibling : target);
    });
    list.addEventListener("drop", function (event) {
      if (!dragged || dragged.parentNode !== list) {
        return;
      }
      event.preventDefault();
      dragged = null;
      save(list);
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("ol.agenda-items[data-reorder-url]"),
    setUp);
}());
