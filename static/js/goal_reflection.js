/* Goal reflection: save goals and check-ins; keep a draft of what is typed in localStorage
   (keyed by block and learner) until the server has it; offer to reload after a 409. */
/* exported PersonalizedGoalReflection */
function PersonalizedGoalReflection(runtime, element, init) {
  "use strict";
  var block = window.PersonalizedPath.start(runtime, element, init);
  var messages = block.messages;
  var root = block.root;
  var handlers = {goals: "save_goals", checkin: "check_in"};
  var snapshots = {};
  function forms() { return Array.prototype.slice.call(root().querySelectorAll("form[data-form]")); }

  var storage = (function () {
    try {
      var probe = "pp-goal-reflection-probe";
      window.localStorage.setItem(probe, probe);
      window.localStorage.removeItem(probe);
      return window.localStorage;
    } catch (ignore) {
      return null;
    }
  }());

  /* Drafts live for a week at most, so unsaved text does not linger on a shared computer. */
  var DRAFT_PREFIX = "pp-goal-reflection:";
  var DRAFT_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000;

  function draftKey(form) { return root().getAttribute("data-draft-key") + ":" + form.getAttribute("data-form"); }

  /* The draft stored under `key` while it is fresh; an expired or unreadable one is removed. */
  function freshDraft(key) {
    var stored;
    try { stored = JSON.parse(storage.getItem(key) || "null"); } catch (ignore) { stored = null; }
    if (stored && typeof stored.at === "number" && Date.now() - stored.at <= DRAFT_LIFETIME_MS && stored.values) {
      return stored.values;
    }
    storage.removeItem(key);
    return null;
  }

  /* Expired drafts of every goal reflection go, also of blocks this learner never opens again. */
  function dropExpiredDrafts() {
    if (!storage) { return; }
    Object.keys(storage).filter(function (key) { return key.indexOf(DRAFT_PREFIX) === 0; }).forEach(freshDraft);
  }

  function readDraft(form) {
    return storage ? freshDraft(draftKey(form)) : null;
  }

  function writeDraft(form, values) {
    if (!storage) { return; }
    try {
      storage.setItem(draftKey(form), JSON.stringify({at: Date.now(), values: values}));
    } catch (ignore) { /* quota: the text is still in the page */ }
  }

  function clearDraft(form) { if (storage) { storage.removeItem(draftKey(form)); } }

  function inputs(form) {
    return Array.prototype.slice.call(form.querySelectorAll("input[data-field], textarea[data-field]"));
  }

  /* The form's values as {field path: value}; checkbox sets are lists, radios only when chosen. */
  function serialize(form) {
    var values = {};
    inputs(form).forEach(function (input) {
      var field = input.getAttribute("data-field");
      var type = input.getAttribute("data-type");
      if (type === "set") {
        values[field] = values[field] || [];
        if (input.checked) { values[field].push(input.value); }
      } else if (input.type === "radio") {
        if (input.checked) { values[field] = type === "int" ? parseInt(input.value, 10) : input.value; }
      } else {
        values[field] = input.value;
      }
    });
    return values;
  }

  function restore(form, values) {
    inputs(form).forEach(function (input) {
      var field = input.getAttribute("data-field");
      if (!Object.prototype.hasOwnProperty.call(values, field)) {
        if (input.type === "radio") { input.checked = false; }
        return;
      }
      var value = values[field];
      if (input.getAttribute("data-type") === "set") {
        input.checked = Array.isArray(value) && value.indexOf(input.value) !== -1;
      } else if (input.type === "radio") {
        input.checked = String(value) === input.value;
      } else if (typeof value === "string") {
        input.value = value;
      }
    });
  }

  /* Remember what the server rendered, then put back any unsaved draft over it. */
  function takeSnapshotsAndRestore() {
    var restored = false;
    forms().forEach(function (form) {
      snapshots[form.getAttribute("data-form")] = JSON.stringify(serialize(form));
      var draft = readDraft(form);
      if (draft && JSON.stringify(draft) !== snapshots[form.getAttribute("data-form")]) {
        restore(form, draft);
        var details = form.closest("details");
        if (details) { details.open = true; }
        restored = true;
      }
    });
    return restored;
  }

  function remember(form) {
    var values = serialize(form);
    if (JSON.stringify(values) === snapshots[form.getAttribute("data-form")]) {
      clearDraft(form);
    } else {
      writeDraft(form, values);
    }
  }

  function hasUnsaved() {
    return forms().some(function (form) {
      return JSON.stringify(serialize(form)) !== snapshots[form.getAttribute("data-form")];
    });
  }

  /* The form's values as nested objects; send adds the revision the page was rendered at. */
  function payloadOf(form) {
    var payload = {};
    var values = serialize(form);
    Object.keys(values).forEach(function (field) {
      var path = field.split("."), target = payload;
      path.slice(0, -1).forEach(function (part) {
        target[part] = target[part] || {};
        target = target[part];
      });
      target[path[path.length - 1]] = values[field];
    });
    return payload;
  }

  function showConflict(text) {
    var box = root().querySelector(".pp-conflict");
    box.querySelector(".pp-conflict-text").textContent = text;
    box.hidden = false;
    box.querySelector(".pp-reload").focus();
  }

  function afterSwap(statusText) {
    var restored = takeSnapshotsAndRestore();
    block.status(restored ? statusText + " " + messages.restored : statusText);
  }

  block.element.addEventListener("input", function (event) {
    var form = event.target.closest("form[data-form]");
    if (form) { remember(form); }
  });
  block.element.addEventListener("change", function (event) {
    var form = event.target.closest("form[data-form]");
    if (form) { remember(form); }
  });

  block.element.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-form]");
    if (!form) { return; }
    event.preventDefault();
    var name = form.getAttribute("data-form");
    remember(form);
    block.send(handlers[name], payloadOf(form), {button: form.querySelector("button[type=submit]"), failed: function (result) {
      if (result.status === 409) {
        block.status("");
        showConflict(result.data.error);
      } else {
        block.fail(result, form);
      }
    }}).then(function (result) {
      if (!result.ok) { return; }
      clearDraft(form);
      block.update(result.data, ".pp-current h3");
      afterSwap(name === "goals" ? messages.saved_goals : messages.saved_checkin);
    });
  });

  block.element.addEventListener("click", function (event) {
    var button = event.target.closest(".pp-reload");
    if (!button) { return; }
    forms().forEach(remember);
    block.send("refresh", {}, {button: button, pending: null}).then(function (result) {
      if (!result.ok) { return; }
      block.swap(result.data.html, ".pp-title");
      takeSnapshotsAndRestore();
      block.status(messages.reloaded);
    });
  });

  window.addEventListener("beforeunload", function (event) {
    if (!root() || !hasUnsaved()) { return undefined; }
    event.preventDefault();
    event.returnValue = "";
    return "";
  });

  dropExpiredDrafts();
  if (takeSnapshotsAndRestore()) { block.status(messages.restored); }
}
