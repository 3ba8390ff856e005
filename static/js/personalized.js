/* Shared helpers for personalized_path blocks: JSON posts with CSRF, swapping in
   server-rendered markup, and status/error messages. Text goes in with textContent only. */
(function (window) {
  "use strict";
  if (window.PersonalizedPath) { return; }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]*)/);
    return match ? decodeURIComponent(match[1]) : "";
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

  /* Replace the block's markup with markup the server rendered (Django autoescaped it),
     then move focus to `focusSelector` so keyboard and screen-reader users land somewhere sensible. */
  function swap(element, html, focusSelector) {
    var parsed = new window.DOMParser().parseFromString(html, "text/html");
    var fresh = parsed.body.querySelector(".pp-root");
    if (!fresh) { return; }
    root(element).replaceWith(document.adoptNode(fresh));
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

  window.PersonalizedPath = {post: post, root: root, status: status, error: error, swap: swap,
                             busy: busy, failureMessage: failureMessage};
}(window));
