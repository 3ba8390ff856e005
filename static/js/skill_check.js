/* Skill check: collect the chosen answers of every question and submit them for grading. */
function PersonalizedSkillCheck(runtime, element, init) {
  "use strict";
  var pp = window.PersonalizedPath;
  var messages = init.messages;
  element = element.jquery ? element[0] : element;

  function collect(form) {
    var answers = {}, missing = null;
    form.querySelectorAll(".pp-question").forEach(function (fieldset) {
      var id = fieldset.getAttribute("data-question");
      var chosen = [];
      fieldset.querySelectorAll("input:checked").forEach(function (input) { chosen.push(input.value); });
      fieldset.removeAttribute("aria-invalid");
      if (chosen.length) {
        answers[id] = chosen;
      } else if (!missing) {
        missing = fieldset;
      }
    });
    return {answers: answers, missing: missing};
  }

  element.addEventListener("submit", function (event) {
    var form = event.target.closest(".pp-form");
    if (!form) { return; }
    event.preventDefault();
    var collected = collect(form);
    if (collected.missing) {
      collected.missing.setAttribute("aria-invalid", "true");
      pp.error(element, messages.answer_all);
      collected.missing.querySelector("input").focus();
      return;
    }
    var button = form.querySelector("button[type=submit]");
    pp.busy(button, true);
    pp.error(element, "");
    pp.status(element, messages.saving);
    pp.post(runtime, element, "submit", {answers: collected.answers}).then(function (result) {
      pp.busy(button, false);
      if (result.ok) {
        pp.swap(element, result.data.html, ".pp-summary h3");
        pp.status(element, messages.submitted);
      } else {
        pp.status(element, "");
        pp.error(element, pp.failureMessage(result, messages));
      }
    });
  });
}
