/* Learning plan. Learners: print, download, save interests, share progress updates, set reminders. Staff: filter, sort and page the class
   grid (the server renders every page), export what is shown as CSV, make exceptions, and propose,
   edit, save, show and export groups.
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

  /* --- learner: progress updates (issue 28); the server answers with the section rendered again --- */

  function sharingDone(result, focusSelector) {
    if (!result.ok || typeof result.data.html !== "string") { return; }
    var parsed = new window.DOMParser().parseFromString(result.data.html, "text/html");
    var fresh = parsed.body.querySelector(".pp-plan-sharing");
    var section = root().querySelector(".pp-plan-sharing");
    if (!fresh || !section) { return; }
    section.replaceWith(document.adoptNode(fresh));
    block.status(result.data.said);
    var target = root().querySelector(focusSelector) || root().querySelector(".pp-plan-sharing h3");
    if (target) { target.focus(); }
  }

  function addRecipient(form) {
    var payload = {
      name: form.elements.name.value,
      email: form.elements.email.value,
      frequency: form.querySelector("input[name=frequency]:checked") ?
        form.querySelector("input[name=frequency]:checked").value : "",
      include_goals: form.elements.include_goals.checked,
      include_checkins: form.elements.include_checkins.checked
    };
    block.send("add_update_recipient", payload, {button: form.querySelector("button[type=submit]"), scope: form})
      .then(function (result) { sharingDone(result, ".pp-plan-recipients"); });
  }

  function saveNudges(form) {
    var payload = {};
    Array.prototype.forEach.call(form.querySelectorAll("input[name=nudge]"), function (box) {
      payload[box.value] = box.checked;
    });
    block.send("set_nudges", payload, {button: form.querySelector("button[type=submit]"), scope: form})
      .then(function (result) { sharingDone(result, ".pp-plan-nudges-form button[type=submit]"); });
  }

  function openSharing(button) {
    block.send("sharing_section", {}, {button: button})
      .then(function (result) { sharingDone(result, ".pp-plan-sharing h3"); });
  }

  function removeRecipient(button) {
    var payload = {recipient: parseInt(button.getAttribute("data-recipient"), 10)};
    block.send("remove_update_recipient", payload, {button: button})
      .then(function (result) { sharingDone(result, ".pp-plan-sharing h3"); });
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
    if (form.classList.contains("pp-plan-recipient-form")) { addRecipient(form); }
    if (form.classList.contains("pp-plan-nudges-form")) { saveNudges(form); }
    if (form.classList.contains("pp-plan-query")) { loadGrid(1, true); }
    if (form.classList.contains("pp-plan-exception-form")) { applyException(form); }
  });

  block.element.addEventListener("click", function (event) {
    var target = event.target.closest("button");
    if (!target || target.closest(".pp-root") !== root()) { return; }
    if (target.classList.contains("pp-plan-print")) { window.print(); }
    if (target.classList.contains("pp-plan-remove-recipient")) { removeRecipient(target); }
    if (target.classList.contains("pp-plan-sharing-open")) { openSharing(target); }
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

  /* --- staff: groups (issue 27) -------------------------------------------------------- */

  function groupsPanel() { return root().querySelector(".pp-plan-groups"); }

  function said(name) {
    var panel = groupsPanel();
    return panel ? panel.getAttribute("data-" + name) || "" : "";
  }

  /* The editor's groups as they stand on the page: names, locks, topics and members in page order. */
  function editedGroups() {
    return Array.prototype.map.call(groupsPanel().querySelectorAll(".pp-group"), function (group) {
      return {
        name: group.querySelector(".pp-group-name").value,
        locked: group.querySelector(".pp-group-lock").checked,
        topic: group.getAttribute("data-topic") || null,
        members: Array.prototype.map.call(group.querySelectorAll(".pp-group-member"), function (member) {
          return member.getAttribute("data-learner");
        })
      };
    });
  }

  function showEditor(html, message) {
    var parsed = new window.DOMParser().parseFromString(html, "text/html");
    var fresh = parsed.body.querySelector(".pp-groups-editor");
    var area = groupsPanel().querySelector(".pp-groups-area");
    if (!fresh || !area) { return; }
    area.replaceChildren(document.adoptNode(fresh));
    block.status(message);
    var heading = area.querySelector("h4");
    if (heading) { heading.focus(); }
  }

  /* The saved grouping's editor, asked for when staff open it: it reads the whole class. */
  function openSavedGroups(button) {
    block.send("saved_groups", {}, {button: button, pending: messages.loading, scope: groupsPanel()})
      .then(function (result) {
        if (result.ok) { showEditor(result.data.html, ""); }
      });
  }

  function proposeGroups(button, keepLocked) {
    var form = groupsPanel().querySelector(".pp-groups-form");
    var by = form.elements.by.value;
    var number = parseInt(form.elements.number.value, 10);
    var payload = {kind: form.elements.kind.value};
    payload[by] = isNaN(number) ? form.elements.number.value : number;
    form.elements.number.setAttribute("data-field", by);
    var skills = Array.prototype.filter.call(form.querySelectorAll("input[name=skill]"), function (box) {
      return box.checked;
    }).map(function (box) { return box.value; });
    if (skills.length) { payload.skills = skills; }
    if (keepLocked && groupsPanel().querySelector(".pp-group")) {
      payload.locked = editedGroups().filter(function (group) { return group.locked; });
    }
    block.send("propose_groups", payload, {button: button, pending: messages.loading, scope: groupsPanel()})
      .then(function (result) {
        if (result.ok) { showEditor(result.data.html, said("proposed")); }
      });
  }

  function saveGroups(button) {
    var editor = groupsPanel().querySelector(".pp-groups-editor");
    var payload = {
      kind: editor.getAttribute("data-kind"),
      skills: Array.prototype.map.call(editor.querySelectorAll(".pp-groups-skill"), function (node) {
        return node.getAttribute("data-skill");
      }),
      groups: editedGroups(),
      revision: parseInt(editor.getAttribute("data-revision"), 10) || 0
    };
    block.send("save_groups", payload, {button: button, scope: groupsPanel()}).then(function (result) {
      if (result.ok) { showEditor(result.data.html, said("saved")); }
    });
  }

  function publishGroups(button) {
    var publish = button.getAttribute("data-publish") === "true";
    block.send("publish_groups", {publish: publish}, {button: button, scope: groupsPanel()}).then(function (result) {
      if (result.ok) { showEditor(result.data.html, said(publish ? "shown" : "hidden")); }
    });
  }

  /* A learner's select names the group to move them to: their row goes there, focus stays on the select. */
  function moveMember(select) {
    var member = select.closest(".pp-group-member");
    var target = groupsPanel().querySelector('.pp-group[data-group="' + select.value.replace(/[^0-9]/g, "") + '"]');
    if (!member || !target) { return; }
    target.querySelector(".pp-group-members").appendChild(member);
    select.focus();
    var label = target.querySelector(".pp-group-name");
    block.status(said("moved").replace("%(name)s", member.getAttribute("data-learner"))
      .replace("%(group)s", label.value || label.getAttribute("placeholder")));
  }

  function exportTeams(form) {
    var teamSet = form.elements.team_set.value.trim();
    block.clear();
    if (!teamSet) { block.fieldError("team_set", said("team-set"), form); return; }
    var base = form.getAttribute("data-base");
    window.location.assign(base + (base.indexOf("?") === -1 ? "?" : "&") + "team_set=" + encodeURIComponent(teamSet));
  }

  /* Where the LMS has Teams: the platform's own import makes the teams; refusals listed, one sentence each. */
  function createTeams(button) {
    var form = button.form;
    var teamSet = form.elements.team_set.value.trim();
    var list = form.querySelector(".pp-groups-refusals");
    list.replaceChildren();
    if (!teamSet) { block.clear(); block.fieldError("team_set", said("team-set"), form); return; }
    block.send("create_teams", {team_set: teamSet}, {button: button, scope: form}).then(function (result) {
      if (!result.ok) { return; }
      block.status(result.data.message);
      (result.data.refusals || []).concat(result.data.problems || []).forEach(function (text) {
        var item = document.createElement("li");
        item.textContent = text;
        list.appendChild(item);
      });
    });
  }

  block.element.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.closest(".pp-root") !== root() || !form.closest(".pp-plan-groups")) { return; }
    event.preventDefault();
    if (form.classList.contains("pp-groups-form")) { proposeGroups(form.querySelector("button[type=submit]"), false); }
    if (form.classList.contains("pp-groups-export")) { exportTeams(form); }
  });

  block.element.addEventListener("click", function (event) {
    var target = event.target.closest("button");
    if (!target || target.closest(".pp-root") !== root() || !target.closest(".pp-plan-groups")) { return; }
    if (target.classList.contains("pp-groups-open")) { openSavedGroups(target); }
    if (target.classList.contains("pp-groups-rerun")) { proposeGroups(target, true); }
    if (target.classList.contains("pp-groups-save")) { saveGroups(target); }
    if (target.classList.contains("pp-groups-publish")) { publishGroups(target); }
    if (target.classList.contains("pp-groups-create")) { createTeams(target); }
  });

  block.element.addEventListener("change", function (event) {
    if (event.target.classList.contains("pp-group-move")) { moveMember(event.target); }
  });
}
