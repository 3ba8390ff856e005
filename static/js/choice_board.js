/* Choice board: toggle tiles, commit the plan and mark tiles done. The server renders every state. */
/* exported PersonalizedChoiceBoard */
function PersonalizedChoiceBoard(runtime, element, init) {
  "use strict";
  var block = window.PersonalizedPath.start(runtime, element, init);
  var messages = block.messages;

  function progressText() {
    var items = block.root().querySelectorAll(".pp-progress-list li");
    return Array.prototype.map.call(items, function (item) { return item.textContent; }).join(" ");
  }

  /* Post, put in the server's markup, then focus `focus` and announce `announce` (or the progress).
     While a request is in flight every button of the board waits, so two quick clicks cannot each
     send a selection computed from the same, not yet updated, board. A 409 brings the latest board. */
  function send(button, handler, payload, focus, announce, scope) {
    var buttons = Array.prototype.filter.call(block.root().querySelectorAll("button"),
                                              function (item) { return !item.disabled; });
    return block.send(handler, payload, {button: button, busy: buttons, scope: scope}).then(function (result) {
      if (!result.ok) { return; }
      if (result.data.chosen) { showChosen(result.data.chosen); }
      block.update(result.data, focus);
      block.status(announce ? announce + " " + progressText() : progressText());
    });
  }

  /* A partial answer to a choice: mark the chosen tiles; the server sent the parts that changed. */
  function showChosen(chosen) {
    block.root().querySelectorAll(".pp-choose").forEach(function (button) {
      var isChosen = chosen.indexOf(button.getAttribute("data-tile")) !== -1;
      button.setAttribute("aria-pressed", isChosen ? "true" : "false");
      button.closest(".pp-tile").classList.toggle("pp-chosen", isChosen);
    });
  }

  /* The whole new selection in board order: pressed buttons (one toggled), plus done tiles, which stay. */
  function selection(toggled) {
    var ids = [];
    block.root().querySelectorAll(".pp-tile").forEach(function (tile) {
      var button = tile.querySelector(".pp-choose");
      var pressed = button ? button.getAttribute("aria-pressed") === "true" : tile.classList.contains("pp-done");
      if (button && button === toggled) { pressed = !pressed; }
      if (pressed) { ids.push(tile.getAttribute("data-tile")); }
    });
    return ids;
  }

  block.element.addEventListener("click", function (event) {
    var choose = event.target.closest(".pp-choose");
    if (choose && block.element.contains(choose)) {
      var tile = choose.getAttribute("data-tile");
      send(choose, "choose", {tiles: selection(choose)}, '.pp-choose[data-tile="' + tile + '"]', null,
           choose.closest(".pp-tile"));
      return;
    }
    var commit = event.target.closest(".pp-commit");
    if (commit && block.element.contains(commit)) {
      send(commit, "commit", {}, ".pp-plan h3", messages.committed);
    }
  });

  block.element.addEventListener("submit", function (event) {
    var form = event.target.closest(".pp-done-form");
    if (!form) { return; }
    event.preventDefault();
    var note = form.querySelector(".pp-done-note");
    var link = form.querySelector(".pp-done-link");
    block.clear();
    if (!note.value.trim() && !link.value.trim()) {
      block.fieldError("note", messages.need_evidence, form);
      return;
    }
    var tile = form.getAttribute("data-tile");
    send(form.querySelector("button[type=submit]"), "mark_done",
         {tile: tile, note: note.value, link: link.value.trim()},
         '.pp-plan-item[data-tile="' + tile + '"] .pp-plan-title', messages.done, form);
  });

  /* A learner action in a block the suggestions come from (a self-assessment, the learning plan's
     interests, a placement check) brings the tiles with their new suggestions at once, without
     moving the learner's focus. */
  var refreshing = false;
  block.watch(function () {
    if (refreshing) { return; }
    refreshing = true;
    block.send("refresh", {}, {quiet: true}).then(function (result) {
      refreshing = false;
      if (!result.ok || !result.data.parts) { return; }
      block.update(result.data, false);
      block.status(messages.suggestions_updated);
    });
  });
}
