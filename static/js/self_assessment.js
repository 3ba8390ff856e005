/* Self-assessment: collect one rating per statement (plus optional evidence) and submit. */
/* exported PersonalizedSelfAssessment */
function PersonalizedSelfAssessment(runtime, element, init) {
  "use strict";
  var pp = window.PersonalizedPath;
  var messages = init.messages;
  element = element.jquery ? element[0] : element;
  pp.staffTools(runtime, element);

  function collect(form) {
    var ratings = {}, evidence = {}, missing = null;
    form.querySelectorAll(".pp-statement").forEach(function (fieldset) {
      var id = fieldset.getAttribute("data-statement");
      var checked = fieldset.querySelector("input[type=radio]:checked");
      if (checked) {
        ratings[id] = parseInt(checked.value, 10);
      } else if (missing === null) {
        missing = id;
      }
      var text = fieldset.querySelector("textarea.pp-evidence");
      if (text && text.value.trim()) { evidence[id] = text.value; }
    });
    return {ratings: ratings, evidence: evidence, missing: missing};
  }

  element.addEventListener("submit", function (event) {
    var form = event.target.closest(".pp-form");
    if (!form) { return; }
    event.preventDefault();
    var answer = collect(form);
    pp.clearFieldErrors(element);
    pp.error(element, "");
    if (answer.missing !== null) {
      pp.fieldError(element, "ratings." + answer.missing, messages.rate_all);
      return;
    }
    var button = form.querySelector("button[type=submit]");
    pp.busy(button, true);
    pp.error(element, "");
    pp.status(element, messages.saving);
    pp.post(runtime, element, "submit", {ratings: answer.ratings, evidence: answer.evidence}).then(function (result) {
      pp.busy(button, false);
      if (result.ok) {
        pp.update(element, result.data, ".pp-profile h3");
        pp.status(element, messages.saved);
      } else {
        pp.status(element, "");
        pp.report(element, result, messages);
      }
    });
  });
}
