/* Shared helpers for personalized_path blocks: JSON posts with CSRF, swapping in
   server-rendered markup, and status/error messages. Text goes in with textContent only. */
(function (window) {
  "use strict";
  if (window.PersonalizedPath) { return; }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]*)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  /* Dispatched on the document after a handler changed a learner's state, with {usage, handler,
     title}: a mastery gate on the same page that reads this block re-checks by itself. Not while
     the answer says the learner's work is unfinished (a skill check's session under way). */
  var CHANGED_EVENT = "personalized-path:changed";
  var READ_ONLY_HANDLERS = ["check_again", "refresh", "preview", "learner_answers", "recount_class"];

  function announceChange(element, handler) {
    var base = root(element);
    var title = base ? base.querySelector(".pp-title") : null;
    document.dispatchEvent(new window.CustomEvent(CHANGED_EVENT, {detail: {
      usage: base ? base.getAttribute("data-usage") : "", handler: handler, title: title ? title.textContent : ""
    }}));
  }

  /* POST `payload` as JSON to a handler; resolves to {ok, status, data} and never rejects. */
  function post(runtime, element, handler, payload) {
    return window.fetch(runtime.handlerUrl(element, handler), {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrfToken(), "X-Requested-With": "XMLHttpRequest"},
      body: JSON.stringify(payload)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (response.ok && READ_ONLY_HANDLERS.indexOf(handler) === -1 && !data.unfinished) {
          window.setTimeout(function () { announceChange(element, handler); }, 0);
        }
        return {ok: response.ok, status: response.status, data: data};
      });
    }, function () {
      return {ok: false, status: 0, data: {}};
    });
  }

  function root(element) {
    return element.querySelector(".pp-root");
  }

  function setText(element, selector, text) {
    var node = root(element).querySelector(selector);
    if (node) { node.textContent = text || ""; }
  }

  function status(element, text) { setText(element, ".pp-status", text); }

  function error(element, text) { setText(element, ".pp-error", text); }

  /* The message to show for a failed post: the server's (already translated) or a generic one. */
  function failureMessage(result, messages) {
    if (result.status === 0) { return messages.network_error; }
    return (result.data && result.data.error) || messages.server_error;
  }

  var fieldErrorCount = 0;

  /* The element a server error names inside `scope`: the [data-field] equal to `field`, else to one
     of its parents ("goals.long.text", then "goals.long", then "goals"; "interests[2]", then "interests"). Compared as strings, so a
     field name never becomes a selector. */
  function fieldNode(scope, field) {
    var nodes = scope.querySelectorAll("[data-field]");
    var path = String(field || "");
    while (path) {
      for (var index = 0; index < nodes.length; index += 1) {
        if (nodes[index].getAttribute("data-field") === path) { return nodes[index]; }
      }
      path = path.slice(0, Math.max(path.lastIndexOf("."), path.lastIndexOf("["), 0));
    }
    return null;
  }

  function clearFieldErrors(element, container) {
    var base = container || root(element);
    if (!base) { return; }
    base.querySelectorAll(".pp-field-error").forEach(function (node) {
      base.querySelectorAll('[aria-describedby~="' + node.id + '"]').forEach(function (control) {
        var rest = control.getAttribute("aria-describedby").split(/\s+/).filter(function (id) { return id !== node.id; });
        if (rest.length) { control.setAttribute("aria-describedby", rest.join(" ")); } else { control.removeAttribute("aria-describedby"); }
      });
      node.remove();
    });
    base.querySelectorAll("[data-pp-invalid]").forEach(function (node) {
      node.removeAttribute("aria-invalid");
      node.removeAttribute("data-pp-invalid");
    });
  }

  /* Put `text` beside the field it concerns (announced as an alert, linked with aria-describedby,
     the field marked invalid and focused). Returns false when no such field is on the page. */
  function fieldError(element, field, text, scope) {
    var node = field ? fieldNode(scope || root(element), field) : null;
    if (!node) { return false; }
    var message = document.createElement("p");
    fieldErrorCount += 1;
    message.id = "pp-field-error-" + fieldErrorCount;
    message.className = "pp-field-error";
    message.setAttribute("data-pp-placed", "true");
    message.setAttribute("role", "alert");
    message.textContent = text;
    var isGroup = !/^(INPUT|TEXTAREA|SELECT|BUTTON)$/.test(node.tagName);
    if (isGroup) { node.appendChild(message); } else { node.insertAdjacentElement("afterend", message); }
    var controls = isGroup ? Array.prototype.slice.call(node.querySelectorAll("input, textarea, select, button")) : [node];
    controls.forEach(function (control) {
      if (control.type !== "button" && control.type !== "submit") {
        control.setAttribute("aria-invalid", "true");
        control.setAttribute("data-pp-invalid", "true");
      }
      var described = control.getAttribute("aria-describedby");
      control.setAttribute("aria-describedby", (described ? described + " " : "") + message.id);
    });
    if (controls.length && !controls[0].disabled) { controls[0].focus(); }
    return true;
  }

  /* Take back the messages about a control once the person changes it: those linked to it by
     aria-describedby and the one of the group (fieldset) it belongs to. A message fieldError made
     goes; a message line the page keeps (an editor's) is emptied. The server checks again on the
     next submit, so an error that still holds comes back then. */
  function forgetError(message) {
    var scope = message.closest(".pp-root, .pp-editor") || document;
    if (message.id) {
      scope.querySelectorAll('[aria-describedby~="' + message.id + '"]').forEach(function (control) {
        control.removeAttribute("aria-invalid");
        control.removeAttribute("data-pp-invalid");
        if (message.hasAttribute("data-pp-placed")) {
          var rest = control.getAttribute("aria-describedby").split(/\s+/).filter(function (id) { return id !== message.id; });
          if (rest.length) { control.setAttribute("aria-describedby", rest.join(" ")); } else { control.removeAttribute("aria-describedby"); }
        }
      });
    }
    if (message.hasAttribute("data-pp-placed")) { message.remove(); } else { message.textContent = ""; }
  }

  function errorsAbout(control) {
    var found = [];
    (control.getAttribute("aria-describedby") || "").split(/\s+/).forEach(function (id) {
      var node = id ? document.getElementById(id) : null;
      if (node && node.classList.contains("pp-field-error")) { found.push(node); }
    });
    var group = control.closest("fieldset");
    if (group) {
      Array.prototype.forEach.call(group.children, function (node) {
        if (node.classList.contains("pp-field-error") && found.indexOf(node) === -1) { found.push(node); }
      });
    }
    return found;
  }

  function onCorrected(event) {
    var control = event.target;
    if (!control || !control.closest || !control.closest(".pp-root, .pp-editor")) { return; }
    if (!/^(INPUT|TEXTAREA|SELECT)$/.test(control.tagName)) { return; }
    errorsAbout(control).forEach(function (message) {
      if (message.textContent) { forgetError(message); }
    });
    if (control.getAttribute("aria-invalid") === "true") {
      control.removeAttribute("aria-invalid");
      control.removeAttribute("data-pp-invalid");
    }
  }
  document.addEventListener("input", onCorrected, true);
  document.addEventListener("change", onCorrected, true);

  /* Show why a post failed: beside the field the server names when it is on the page, otherwise
     in the block's alert line. */
  function report(element, result, messages, scope) {
    var text = failureMessage(result, messages);
    var field = result.status === 400 && result.data ? result.data.field : null;
    if (!fieldError(element, field, text, scope)) { error(element, text); }
  }

  /* Replace the block's markup with markup the server rendered (Django autoescaped it), then focus. */
  function swap(element, html, focusSelector) {
    var parsed = new window.DOMParser().parseFromString(html, "text/html");
    var fresh = parsed.body.querySelector(".pp-root");
    if (!fresh) { return; }
    root(element).replaceWith(document.adoptNode(fresh));
    focusOn(element, focusSelector);
  }

  /* Put the parts of the view a handler answered with (server-rendered, autoescaped markup, each
     rooted at data-part="name") in place of the current ones; the rest of the block stays as it is.
     An empty data-keep="name" in a part is filled with the page's own element of that name, moved
     with what it holds: the server leaves out what the page already has. */
  function patch(element, parts, focusSelector) {
    Object.keys(parts).forEach(function (name) {
      var parsed = new window.DOMParser().parseFromString(parts[name], "text/html");
      var fresh = parsed.body.querySelector('[data-part="' + name + '"]');
      var current = root(element).querySelector('[data-part="' + name + '"]');
      if (!fresh || !current) { return; }
      fresh = document.adoptNode(fresh);
      Array.prototype.forEach.call(fresh.querySelectorAll("[data-keep]"), function (slot) {
        var kept = current.querySelector('[data-keep="' + slot.getAttribute("data-keep") + '"]');
        if (kept && !slot.firstChild) { slot.replaceWith(kept); }
      });
      current.replaceWith(fresh);
    });
    focusOn(element, focusSelector);
  }

  /* Apply an answer: whole markup (`html`) or the parts that changed (`parts`). */
  function update(element, answer, focusSelector) {
    if (answer.parts) {
      patch(element, answer.parts, focusSelector);
    } else {
      swap(element, answer.html, focusSelector);
    }
  }

  /* Move focus to `focusSelector` so keyboard and screen-reader users land somewhere sensible
     (false: leave focus where it is, for updates the learner did not ask for here). */
  function focusOn(element, focusSelector) {
    if (focusSelector === false) { return; }
    var target = root(element).querySelector(focusSelector || ".pp-title");
    if (target) {
      if (!target.hasAttribute("tabindex") && !/^(A|BUTTON|INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) {
        target.setAttribute("tabindex", "-1");
      }
      target.focus();
    }
  }

  /* Disable a button while a request is in flight, so a double click cannot post twice. */
  function busy(button, isBusy) {
    if (!button) { return; }
    button.disabled = isBusy;
    button.setAttribute("aria-busy", isBusy ? "true" : "false");
  }

  /* Course staff tools under a block (templates/staff_tools.html): "Preview as a learner" and one
     learner's answers. The server answers both with markup it rendered and escaped; it goes into
     the page through DOMParser, and the preview into an inert container, so none of it runs. */
  function staffTools(runtime, element) {
    element = element.jquery ? element[0] : element;
    var panel = element.querySelector(".pp-staff-tools");
    if (!panel || panel.getAttribute("data-ready") === "true") { return; }
    panel.setAttribute("data-ready", "true");
    var texts = {network_error: panel.getAttribute("data-network-error"),
                 server_error: panel.getAttribute("data-server-error")};

    function say(selector, text) {
      var node = panel.querySelector(selector);
      if (node) { node.textContent = text || ""; }
    }

    function show(container, html) {
      var parsed = new window.DOMParser().parseFromString(html, "text/html");
      container.replaceChildren.apply(container, Array.prototype.map.call(parsed.body.children, function (node) {
        return document.adoptNode(node);
      }));
    }

    function valuesOf(form) {
      var values = {};
      form.querySelectorAll("[data-field]").forEach(function (input) {
        var kind = input.getAttribute("data-kind");
        var key = input.getAttribute("data-field");
        if (kind === "yes_no") {
          values[key] = input.checked;
        } else if (kind === "number") {
          values[key] = input.value === "" ? null : Number(input.value);
        } else {
          values[key] = input.value;
        }
      });
      return values;
    }

    /* "Recount now": the server counts again from every learner's records and answers with the new summary. */
    function recount(form) {
      var button = form.querySelector("button[type=submit]");
      busy(button, true);
      say(".pp-staff-error", "");
      say(".pp-staff-status", "");
      post(runtime, element, "recount_class", {}).then(function (result) {
        busy(button, false);
        if (!result.ok) { say(".pp-staff-error", failureMessage(result, texts)); return; }
        var part = panel.querySelector(".pp-summary-part");
        var parsed = new window.DOMParser().parseFromString(result.data.html, "text/html").body.firstElementChild;
        if (part && parsed) { part.replaceWith(document.adoptNode(parsed)); }
        say(".pp-staff-status", result.data.message);
      });
    }

    panel.addEventListener("submit", function (event) {
      var form = event.target;
      if (form.classList.contains("pp-recount-form")) {
        event.preventDefault();
        recount(form);
        return;
      }
      var isPreview = form.classList.contains("pp-preview-form");
      if (!isPreview && !form.classList.contains("pp-lookup-form")) { return; }
      event.preventDefault();
      var payload = isPreview ? {values: valuesOf(form)}
                              : {username: form.querySelector("[data-field=username]").value};
      var button = form.querySelector("button[type=submit]");
      busy(button, true);
      clearFieldErrors(element, panel);
      say(".pp-staff-error", "");
      say(".pp-staff-status", "");
      post(runtime, element, isPreview ? "preview" : "learner_answers", payload).then(function (result) {
        busy(button, false);
        if (result.ok) {
          show(panel.querySelector(isPreview ? ".pp-preview-output" : ".pp-lookup-output"), result.data.html);
          say(".pp-staff-status", panel.getAttribute(isPreview ? "data-preview-shown" : "data-lookup-shown"));
          return;
        }
        var text = failureMessage(result, texts);
        var field = result.status === 400 && result.data ? result.data.field : null;
        if (!fieldError(element, field, text, form)) { say(".pp-staff-error", text); }
      });
    });
  }

  window.PersonalizedPath = {post: post, root: root, status: status, error: error, swap: swap,
                             patch: patch, update: update, busy: busy, failureMessage: failureMessage,
                             fieldError: fieldError, clearFieldErrors: clearFieldErrors, report: report,
                             CHANGED_EVENT: CHANGED_EVENT, staffTools: staffTools};
}(window));
