/* Learning plan. Learners: print, download, save interests. Staff: filter, sort and page the class
   grid (the server renders every page), export what is shown as CSV, and make exceptions.
   Text goes in with textContent only; markup only from the server's own templates. */
/* exported PersonalizedLearningPlan */
function PersonalizedLearningPlan(runtime, element, init) {
  "use strict";
  var pp = window.PersonalizedPath;
  var messages = init.messages;
  element = element.jquery ? element[0] : element;

  function root() { return pp.root(element); }

  /* Why a post failed: beside the field the server names when it is in `form`, else in the alert line. */
  function fail(form, result) {
    pp.status(element, "");
    pp.report(element, result, messages, form || undefined);
  }

  /* --- learner ------------------------------------------------------------------------ */

  function saveInterests(form) {
    var button = form.querySelector("button[type=submit]");
    var picked = Array.prototype.filter.call(form.querySelectorAll("input[name=interest]"), function (box) {
      return box.checked;
    }).map(function (box) { return box.value; });
    pp.busy(button, true);
    pp.error(element, "");
    pp.clearFieldErrors(element);
    pp.status(element, messages.saving);
    pp.post(runtime, element, "save_interests", {interests: picked}).then(function (result) {
      pp.busy(button, false);
      if (result.ok) { pp.status(element, messages.saved_interests); } else { fail(form, result); }
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
    var button = form.querySelector("button[type=submit]");
    pp.busy(button, true);
    pp.error(element, "");
    pp.clearFieldErrors(element);
    pp.status(element, messages.loading);
    return pp.post(runtime, element, "class_grid", values).then(function (result) {
      pp.busy(button, false);
      if (!result.ok || typeof result.data.html !== "string") { fail(form, result); return; }
      var parsed = new window.DOMParser().parseFromString(result.data.html, "text/html");
      var fresh = parsed.body.querySelector(".pp-plan-grid");
      var area = root().querySelector(".pp-plan-grid-area");
      if (!fresh || !area) { return; }
      area.replaceChildren(document.adoptNode(fresh));
      exportHref(values);
      var heading = area.querySelector("h3");
      pp.status(element, heading ? heading.textContent : "");
      if (focusHeading && heading) { heading.focus(); }
    });
  }

  function applyException(form) {
    var button = form.querySelector("button[type=submit]");
    var payload = {
      learner: form.elements.learner.value.trim(),
      gate: form.elements.gate.value,
      action: form.elements.action.value,
      reason: form.elements.reason.value
    };
    if (payload.action === "route") { payload.route = form.elements.route.value; }
    pp.busy(button, true);
    pp.error(element, "");
    pp.clearFieldErrors(element);
    pp.status(element, messages.saving);
    pp.post(runtime, element, "apply_exception", payload).then(function (result) {
      pp.busy(button, false);
      if (!result.ok) { fail(form, result); return; }
      form.elements.reason.value = "";
      loadGrid(1, false).then(function () { pp.status(element, messages.applied); });
    });
  }

  element.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.closest(".pp-root") !== root()) { return; }
    event.preventDefault();
    if (form.classList.contains("pp-plan-interests-form")) { saveInterests(form); }
    if (form.classList.contains("pp-plan-query")) { loadGrid(1, true); }
    if (form.classList.contains("pp-plan-exception-form")) { applyException(form); }
  });

  element.addEventListener("click", function (event) {
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

  element.addEventListener("change", function (event) {
    if (event.target.classList.contains("pp-plan-show-self")) {
      root().classList.toggle("pp-plan-self-on", event.target.checked);
    }
  });
}
