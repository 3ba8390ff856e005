/* Self-assessment: collect one rating per statement (plus optional evidence) and submit. */
/* exported PersonalizedSelfAssessment */
function PersonalizedSelfAssessment(runtime, element, init) {
  "use strict";
  var block = window.PersonalizedPath.start(runtime, element, init);
  var messages = block.messages;

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

  block.element.addEventListener("submit", function (event) {
    var form = event.target.closest(".pp-form");
    if (!form) { return; }
    event.preventDefault();
    var answer = collect(form);
    block.clear();
    if (answer.missing !== null) {
      block.fieldError("ratings." + answer.missing, messages.rate_all);
      return;
    }
    block.send("submit", {ratings: answer.ratings, evidence: answer.evidence},
               {button: form.querySelector("button[type=submit]")}).then(function (result) {
      if (!result.ok) { return; }
      block.update(result.data, ".pp-profile h3");
      block.status(messages.saved);
    });
  });
}
