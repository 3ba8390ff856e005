/* Learning plan. Learners: print, download, save interests. Staff: filter, sort and page the class
   grid (the server renders every page), export what is shown as CSV, and make exceptions.
   Text goes in with textContent only; markup only from the server's own templates. */
/* exported PersonalizedLearningPlan */
function PersonalizedLearningPlan(runtime, element, init) {
  "use strict";
  var block = window.PersonalizedPath.start(runtime, element, init);
  var messages = block.messages;
  var root = block.root;

  /* --- learner ------------------------------------------------------------------------ */

  function saveInterests(form) {
    var picked = Array.prototype.filter.call(form.querySelectorAll("input[name=interest]"), function (box) {
      return box.checked;
    }).map(function (box) { return box.value; });
    block.send("save_interests", {interests: picked}, {button: form.querySelector("button[type=submit]"), scope: form})
      .then(function (result) {
        if (result.ok) { block.status(messages.saved_interests); }
      });
  }

  /* --- staff -------------------------------------------------------------------------- */

  function query(page) {
    var form = root().querySelector(".pp-plan-query");
    var stuck = parseInt(form.elements.stuck_days.value, 10);
    return {
      filter: form.elements.filter.value,
      stuck_days: isNaN(stuck) ? form.elements.stuck_days.value : stuck,
      search: form.elements.search.value,
      sort: form.elements.sort.value,
      descending: form.elements.descending.checked,
      page_size: parseInt(form.elements.page_size.value, 10),
      page: page || 1
    };
  }

  function exportHref(values) {
    var link = root().querySelector(".pp-plan-export");
    var base = link.getAttribute("data-base");
    var parts = Object.keys(values).filter(function (key) { return key !== "page" && key !== "page_size"; })
      .map(function (key) { return encodeURIComponent(key) + "=" + encodeURIComponent(String(values[key])); });
    link.setAttribute("href", base + (base.indexOf("?") === -1 ? "?" : "&") + parts.join("&"));
  }

  function loadGrid(page, focusHeading) {
    var form = root().querySelector(".pp-plan-query");
    var values = query(page);
    var options = {button: form.querySelector("button[type=submit]"), pending: messages.loading, scope: form};
    return block.send("class_grid", values, options).then(function (result) {
      if (!result.ok) { return; }
      if (typeof result.data.html !== "string") { block.fail(result, form); return; }
      var parsed = new window.DOMParser().parseFromString(result.data.html, "text/html");
      var fresh = parsed.body.querySelector(".pp-plan-grid");
      var area = root().querySelector(".pp-plan-grid-area");
      if (!fresh || !area) { return; }
      area.replaceChildren(document.adoptNode(fresh));
      exportHref(values);
      var heading = area.querySelector("h3");
      block.status(heading ? heading.textContent : "");
      if (focusHeading && heading) { heading.focus(); }
    });
  }

  function applyException(form) {
    var payload = {
      learner: form.elements.learner.value.trim(),
      gate: form.elements.gate.value,
      action: form.elements.action.value,
      reason: form.elements.reason.value
    };
    if (payload.action === "route") { payload.route = form.elements.route.value; }
    block.send("apply_exception", payload, {button: form.querySelector("button[type=submit]"), scope: form})
      .then(function (result) {
        if (!result.ok) { return; }
        form.elements.reason.value = "";
        loadGrid(1, false).then(function () { block.status(messages.applied); });
      });
  }

  block.element.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.closest(".pp-root") !== root()) { return; }
    event.preventDefault();
    if (form.classList.contains("pp-plan-interests-form")) { saveInterests(form); }
    if (form.classList.contains("pp-plan-query")) { loadGrid(1, true); }
    if (form.classList.contains("pp-plan-exception-form")) { applyException(form); }
  });

  block.element.addEventListener("click", function (event) {
    var target = event.target.closest("button");
    if (!target || target.closest(".pp-root") !== root()) { return; }
    if (target.classList.contains("pp-plan-print")) { window.print(); }
    if (target.classList.contains("pp-plan-page")) { loadGrid(parseInt(target.getAttribute("data-page"), 10), true); }
    if (target.classList.contains("pp-plan-pick")) {
      var form = root().querySelector(".pp-plan-exception-form");
      if (form && form.elements.learner) {
        form.elements.learner.value = target.getAttribute("data-learner");
        form.elements.gate.focus();
      }
    }
  });

  block.element.addEventListener("change", function (event) {
    if (event.target.classList.contains("pp-plan-show-self")) {
      root().classList.toggle("pp-plan-self-on", event.target.checked);
    }
  });
}
