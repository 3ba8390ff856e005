/* Skill check: collect the chosen answers of every question and submit them for grading. */
/* exported PersonalizedSkillCheck */
function PersonalizedSkillCheck(runtime, element, init) {
  "use strict";
  var pp = window.PersonalizedPath;
  var messages = init.messages;
  element = element.jquery ? element[0] : element;
  pp.staffTools(runtime, element);

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
    pp.busy(button, true);
    pp.error(element, "");
    pp.status(element, messages.saving);
    pp.post(runtime, element, handler, payload).then(function (result) {
      pp.busy(button, false);
      if (result.ok) {
        pp.update(element, result.data, focus);
        pp.status(element, done);
      } else {
        pp.status(element, "");
        pp.report(element, result, messages);
      }
    });
  }

  /* One question at a time (adaptive, placement and re-check modes). */
  element.addEventListener("click", function (event) {
    var start = event.target.closest(".pp-start");
    if (start) { send(start, "start_session", {}, ".pp-session-heading", messages.started); }
  });

  /* The whole check at once (fixed mode), or the current question (the other modes). */
  element.addEventListener("submit", function (event) {
    var form = event.target.closest(".pp-form, .pp-session-form");
    if (!form) { return; }
    event.preventDefault();
    var single = form.classList.contains("pp-session-form");
    var collected = collect(form);
    pp.clearFieldErrors(element);
    pp.error(element, "");
    if (collected.missing !== null) {
      pp.fieldError(element, "answers." + collected.missing, single ? messages.answer_one : messages.answer_all);
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
