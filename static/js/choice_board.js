/* Choice board: toggle tiles, commit the plan and mark tiles done. The server renders every state. */
/* exported PersonalizedChoiceBoard */
function PersonalizedChoiceBoard(runtime, element, init) {
  "use strict";
  var pp = window.PersonalizedPath;
  var messages = init.messages;
  element = element.jquery ? element[0] : element;
  pp.staffTools(runtime, element);

  function progressText() {
    var items = pp.root(element).querySelectorAll(".pp-progress-list li");
    return Array.prototype.map.call(items, function (item) { return item.textContent; }).join(" ");
  }

  /* Post, swap in the server's markup, then focus `focus` and announce `announce` (or the progress). */
  /* While a request is in flight every button of the board waits, so two quick clicks cannot
     each send a selection computed from the same, not yet updated, board. */
  function lock(isLocked, buttons) {
    buttons.forEach(function (button) { pp.busy(button, isLocked); });
  }

  function send(button, handler, payload, focus, announce, scope) {
    var buttons = Array.prototype.filter.call(pp.root(element).querySelectorAll("button"),
                                              function (item) { return !item.disabled; });
    var revision = parseInt(pp.root(element).getAttribute("data-revision"), 10);
    if (!isNaN(revision)) { payload.revision = revision; }
    lock(true, buttons);
    pp.clearFieldErrors(element);
    pp.error(element, "");
    pp.status(element, messages.saving);
    return pp.post(runtime, element, handler, payload).then(function (result) {
      if (result.ok) {
        if (result.data.parts) {  // the board stays; only what the learner's action changed comes back
          lock(false, buttons);
          pp.root(element).setAttribute("data-revision", String(result.data.revision));
          if (result.data.chosen) { showChosen(result.data.chosen); }
        }
        pp.update(element, result.data, focus);
        pp.status(element, announce ? announce + " " + progressText() : progressText());
      } else if (result.status === 409 && result.data.html) {
        pp.swap(element, result.data.html, ".pp-title");
        pp.status(element, "");
        pp.error(element, result.data.error);
      } else {
        lock(false, buttons);
        pp.status(element, "");
        if (button) { button.focus(); }
        pp.report(element, result, messages, scope);
      }
      return result;
    });
  }

  /* A partial answer to a choice: mark the chosen tiles; the server sent the parts that changed. */
  function showChosen(chosen) {
    pp.root(element).querySelectorAll(".pp-choose").forEach(function (button) {
      var isChosen = chosen.indexOf(button.getAttribute("data-tile")) !== -1;
      button.setAttribute("aria-pressed", isChosen ? "true" : "false");
      button.closest(".pp-tile").classList.toggle("pp-chosen", isChosen);
    });
  }

  /* The whole new selection in board order: pressed buttons (one toggled), plus done tiles, which stay. */
  function selection(toggled) {
    var ids = [];
    pp.root(element).querySelectorAll(".pp-tile").forEach(function (tile) {
      var button = tile.querySelector(".pp-choose");
      var pressed = button ? button.getAttribute("aria-pressed") === "true" : tile.classList.contains("pp-done");
      if (button && button === toggled) { pressed = !pressed; }
      if (pressed) { ids.push(tile.getAttribute("data-tile")); }
    });
    return ids;
  }

  element.addEventListener("click", function (event) {
    var choose = event.target.closest(".pp-choose");
    if (choose && element.contains(choose)) {
      var tile = choose.getAttribute("data-tile");
      send(choose, "choose", {tiles: selection(choose)}, '.pp-choose[data-tile="' + tile + '"]', null,
           choose.closest(".pp-tile"));
      return;
    }
    var commit = event.target.closest(".pp-commit");
    if (commit && element.contains(commit)) {
      send(commit, "commit", {}, ".pp-plan h3", messages.committed);
    }
  });

  element.addEventListener("submit", function (event) {
    var form = event.target.closest(".pp-done-form");
    if (!form) { return; }
    event.preventDefault();
    var note = form.querySelector(".pp-done-note");
    var link = form.querySelector(".pp-done-link");
    pp.clearFieldErrors(element);
    pp.error(element, "");
    if (!note.value.trim() && !link.value.trim()) {
      pp.fieldError(element, "note", messages.need_evidence, form);
      return;
    }
    var tile = form.getAttribute("data-tile");
    send(form.querySelector("button[type=submit]"), "mark_done",
         {tile: tile, note: note.value, link: link.value.trim()},
         '.pp-plan-item[data-tile="' + tile + '"] .pp-plan-title', messages.done, form);
  });

  /* personalized.js announces each learner action on the page; one in a block the suggestions come
     from (a self-assessment, the learning plan's interests, a placement check) brings the tiles with
     their new suggestions at once, without moving the learner's focus. */
  var refreshing = false;
  document.addEventListener(pp.CHANGED_EVENT, function (event) {
    var board = pp.root(element);
    if (!board || refreshing || !document.documentElement.contains(board)) { return; }
    var watched = (board.getAttribute("data-watch") || "").split(" ");
    if (!event.detail || !event.detail.usage || watched.indexOf(event.detail.usage) === -1) { return; }
    refreshing = true;
    pp.post(runtime, element, "refresh", {}).then(function (result) {
      refreshing = false;
      if (!result.ok || !result.data.parts) { return; }
      pp.root(element).setAttribute("data-revision", String(result.data.revision));
      pp.update(element, result.data, false);
      pp.status(element, messages.suggestions_updated);
    });
  });
}
