/* Skill check: collect the chosen answers of every question and submit them for grading. */
/* exported PersonalizedSkillCheck */
function PersonalizedSkillCheck(runtime, element, init) {
  "use strict";
  var block = window.PersonalizedPath.start(runtime, element, init);
  var messages = block.messages;

  function collect(form) {
    var answers = {}, missing = null;
    form.querySelectorAll(".pp-question").forEach(function (fieldset) {
      var id = fieldset.getAttribute("data-question");
      var chosen = [];
      fieldset.querySelectorAll("input:checked").forEach(function (input) { chosen.push(input.value); });
      if (chosen.length) {
        answers[id] = chosen;
      } else if (missing === null) {
        missing = id;
      }
    });
    return {answers: answers, missing: missing};
  }

  function send(button, handler, payload, focus, done) {
    block.send(handler, payload, {button: button}).then(function (result) {
      if (!result.ok) { return; }
      block.update(result.data, focus);
      block.status(done);
    });
  }

  /* One question at a time (adaptive, placement and re-check modes). */
  block.element.addEventListener("click", function (event) {
    var start = event.target.closest(".pp-start");
    if (start) { send(start, "start_session", {}, ".pp-session-heading", messages.started); }
  });

  /* The whole check at once (fixed mode), or the current question (the other modes). */
  block.element.addEventListener("submit", function (event) {
    var form = event.target.closest(".pp-form, .pp-session-form");
    if (!form) { return; }
    event.preventDefault();
    var single = form.classList.contains("pp-session-form");
    var collected = collect(form);
    block.clear();
    if (collected.missing !== null) {
      block.fieldError("answers." + collected.missing, single ? messages.answer_one : messages.answer_all);
      return;
    }
    var button = form.querySelector("button[type=submit]");
    if (single) {
      var question = Object.keys(collected.answers)[0];
      send(button, "answer", {question: question, answer: collected.answers[question]},
           ".pp-last-answer .pp-verdict", messages.answered);
    } else {
      send(button, "submit", {answers: collected.answers}, ".pp-summary h3", messages.submitted);
    }
  });
}
