/* Shared by every personalized_path script. A block's script opens with
   `var block = PersonalizedPath.start(runtime, element, init)` and talks to its server through
   `block.send(handler, payload, options)`: JSON posts with the CSRF header, busy buttons, the status
   line and the server's errors placed by the field they name. Markup comes only from the server's
   own (autoescaped) templates; text goes in with textContent only. */
(function (window) {
  "use strict";
  if (window.PersonalizedPath) { return; }
  var document = window.document;

  /* The workbench adds the CSRF header only to jQuery's requests; the LMS reads the same cookie. */
  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]*)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function root(element) {
    return element.querySelector(".pp-root");
  }

  /* Dispatched on the document after a handler changed a learner's state, with {usage, handler,
     title}: a block on the same page that reads this one (a gate, a board's suggestions) updates by
     itself. Not while the answer says the learner's work is unfinished (a skill check's session under way). */
  var CHANGED_EVENT = "personalized-path:changed";
  var READ_ONLY_HANDLERS = ["check_again", "refresh", "preview", "learner_answers", "recount_class"];

  function announceChange(element, handler) {
    var base = root(element);
    var title = base ? base.querySelector(".pp-title") : null;
    document.dispatchEvent(new window.CustomEvent(CHANGED_EVENT, {detail: {
      usage: base ? base.getAttribute("data-usage") : "", handler: handler, title: title ? title.textContent : ""
    }}));
  }

  /* POST `payload` as JSON to a handler; resolves to {ok, status, data} and never rejects. Error
     answers (400, 403, 409, 415...) carry {"error": sentence, "field": path, ...}; a network failure is status 0. */
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

  /* The message to show for a failed post: the server's (already translated) or a generic one. */
  function failureMessage(result, messages) {
    if (result.status === 0) { return messages.network_error; }
    return (result.data && result.data.error) || messages.server_error;
  }

  /* Disable a button while a request is in flight, so a double click cannot post twice. */
  function busy(button, isBusy) {
    if (!button) { return; }
    button.disabled = isBusy;
    button.setAttribute("aria-busy", isBusy ? "true" : "false");
  }

  /* --- messages beside the field they concern ------------------------------------------------ */

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

  /* Put `text` beside the field of `scope` it concerns (announced as an alert, linked with
     aria-describedby, the field marked invalid and focused). False when no such field is there. */
  function fieldError(scope, field, text) {
    var node = field && scope ? fieldNode(scope, field) : null;
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

  /* Take back one message about a field: the controls it describes are no longer invalid; a message
     fieldError made goes (with its aria-describedby links); a message line the page keeps (an
     editor's) is emptied. */
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

  function clearFieldErrors(container) {
    if (!container) { return; }
    container.querySelectorAll(".pp-field-error").forEach(forgetError);
    container.querySelectorAll("[data-pp-invalid]").forEach(function (node) {
      node.removeAttribute("aria-invalid");
      node.removeAttribute("data-pp-invalid");
    });
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

  /* Take back the messages about a control once the person changes it: those linked to it by
     aria-describedby and the one of the group (fieldset) it belongs to. The server checks again on
     the next submit, so an error that still holds comes back then. */
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

  /* --- markup the server rendered ------------------------------------------------------------ */

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

  /* --- one part of the page talking to its server ---------------------------------------------- */

  /* The status and error lines and the posts of a block (`box()` is its root, which swaps replace)
     or of its staff tools panel. `lines` names the status and error lines inside the box. */
  function messenger(runtime, element, box, messages, lines) {
    var self = {messages: messages};

    function say(selector, text) {
      var node = box() ? box().querySelector(selector) : null;
      if (node) { node.textContent = text || ""; }
    }

    self.status = function (text) { say(lines.status, text); };
    self.error = function (text) { say(lines.error, text); };

    /* Take back the last request's messages: the error line and every message beside a field. */
    self.clear = function () {
      clearFieldErrors(box());
      self.error("");
    };

    self.fieldError = function (field, text, scope) { return fieldError(scope || box(), field, text); };

    /* Show why a post failed: beside the field a 400 names when it is in `scope` (else the box), else
       in the error line. A 409 that carries the server's current markup (another tab changed the
       block) puts that markup in place and says why. */
    self.fail = function (result, scope) {
      self.status("");
      if (result.status === 409 && result.data && typeof result.data.html === "string") {
        swap(element, result.data.html, ".pp-title");
        self.error(result.data.error);
        return;
      }
      var text = failureMessage(result, messages);
      if (!self.fieldError(result.status === 400 && result.data ? result.data.field : null, text, scope)) {
        self.error(text);
      }
    };

    /* POST `payload` to `handler`; resolves to {ok, status, data} once the buttons are free again.
       Options: `button`, the control the person used, and `busy`, more buttons, wait meanwhile; the
       last request's messages go and the status line says `pending` (the "saving" message unless
       given; null leaves it alone). After a failure focus returns to `button` and the failure is
       shown (see fail, with `scope`), or handed to `failed(result)`. `quiet`: a post the person did
       not ask for here, which shows nothing. A box with data-revision (a block that refuses stale
       writes with 409) sends it with each change and keeps it from the answers. */
    self.send = function (handler, payload, options) {
      options = options || {};
      var buttons = [].concat(options.busy || [], options.button || []);
      var revision = box() ? parseInt(box().getAttribute("data-revision"), 10) : NaN;
      if (!isNaN(revision) && payload.revision === undefined && READ_ONLY_HANDLERS.indexOf(handler) === -1) {
        payload.revision = revision;
      }
      buttons.forEach(function (button) { busy(button, true); });
      if (!options.quiet) {
        self.clear();
        if (options.pending !== null) { self.status(options.pending === undefined ? messages.saving : options.pending); }
      }
      return post(runtime, element, handler, payload).then(function (result) {
        buttons.forEach(function (button) { busy(button, false); });
        var current = box();
        if (result.ok && result.data.revision !== undefined && current && current.hasAttribute("data-revision")) {
          current.setAttribute("data-revision", String(result.data.revision));
        }
        if (!result.ok && !options.quiet) {
          if (options.button && document.documentElement.contains(options.button)) { options.button.focus(); }
          if (options.failed) { options.failed(result); } else { self.fail(result, options.scope); }
        }
        return result;
      });
    };
    return self;
  }

  /* --- course staff tools ---------------------------------------------------------------------- */

  /* The tools under a block (templates/staff_tools.html, its own usage id: a gate's children have
     theirs): "Preview as a learner", one learner's answers, "Recount now". The server answers with
     markup it rendered and escaped; it goes into the page through DOMParser, and the preview into
     an inert container, so none of it runs. */
  function staffTools(runtime, element) {
    var base = root(element);
    var usage = base ? base.getAttribute("data-usage") : null;
    var panel = Array.prototype.filter.call(element.querySelectorAll(".pp-staff-tools"), function (node) {
      return node.getAttribute("data-usage") === usage;
    })[0];
    if (!panel || panel.getAttribute("data-ready") === "true") { return; }
    panel.setAttribute("data-ready", "true");
    var tools = messenger(runtime, element, function () { return panel; },
                       {network_error: panel.getAttribute("data-network-error"),
                        server_error: panel.getAttribute("data-server-error")},
                       {status: ".pp-staff-status", error: ".pp-staff-error"});

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
      tools.send("recount_class", {}, {button: form.querySelector("button[type=submit]"), pending: ""}).then(function (result) {
        if (!result.ok) { return; }
        var part = panel.querySelector(".pp-summary-part");
        var parsed = new window.DOMParser().parseFromString(result.data.html, "text/html").body.firstElementChild;
        if (part && parsed) { part.replaceWith(document.adoptNode(parsed)); }
        tools.status(result.data.message);
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
      tools.send(isPreview ? "preview" : "learner_answers", payload,
                 {button: form.querySelector("button[type=submit]"), pending: "", scope: form}).then(function (result) {
        if (!result.ok) { return; }
        show(panel.querySelector(isPreview ? ".pp-preview-output" : ".pp-lookup-output"), result.data.html);
        tools.status(panel.getAttribute(isPreview ? "data-preview-shown" : "data-lookup-shown"));
      });
    });
  }

  /* --- the opening of every block's script ------------------------------------------------------ */

  /* The init args a block's markup carries when the runtime passes none: the Studio editor's JSON
     script, or the gate's messages (a gate takes no init args: the runtime would read its children's). */
  function argsInMarkup(base) {
    try {
      var script = base.querySelector(':scope > script[type="application/json"]');
      return script ? JSON.parse(script.textContent) : {messages: JSON.parse(base.getAttribute("data-messages")) || {}};
    } catch (ignore) {
      return {messages: {}};
    }
  }

  /* Everything a block's script starts from: its element (unwrapped from jQuery), its staff tools
     wired, its init args (`args`, with `messages`, the translated sentences it shows) and:
     root() · status(text) · error(text) · clear() · fieldError(field, text, scope) · fail(result, scope)
     · send(handler, payload, options) · update(answer, focus) · swap(html, focus) · watch(callback). */
  function start(runtime, element, init) {
    element = element.jquery ? element[0] : element;
    staffTools(runtime, element);
    var args = init && Object.keys(init).length ? init : argsInMarkup(root(element));
    var block = messenger(runtime, element, function () { return root(element); }, args.messages || {},
                       {status: ".pp-status", error: ".pp-error"});
    block.element = element;
    block.args = args;
    block.root = function () { return root(element); };
    block.update = function (answer, focusSelector) { update(element, answer, focusSelector); };
    block.swap = function (html, focusSelector) { swap(element, html, focusSelector); };

    /* Call `callback(detail)` after a block this one reads (its root's data-watch) changed the
       learner's state on this page, while this block is on the page. */
    block.watch = function (callback) {
      document.addEventListener(CHANGED_EVENT, function (event) {
        var base = root(element);
        if (!base || !document.documentElement.contains(base) || !event.detail || !event.detail.usage) { return; }
        if ((base.getAttribute("data-watch") || "").split(" ").indexOf(event.detail.usage) !== -1) {
          callback(event.detail);
        }
      });
    };
    return block;
  }

  window.PersonalizedPath = {start: start};
}(window));
