/* Mastery gate: "Check again" asks the server to re-read the learner's scores. While locked the
   server answers with the refreshed lock card (a part); once the rule holds it answers with the unlocked
   markup (children included) and the CSS/JS those children need. This script loads any of those
   resources the page does not have yet, swaps the markup in, and lets the XBlock runtime
   initialise the new children, all without reloading the page. Text goes in with textContent only. */
/* exported PersonalizedMasteryGate */
function PersonalizedMasteryGate(runtime, element) {
  "use strict";
  /* The server's translated messages ride on the block's root (see MasteryGateBlock.gate_fragment),
     where start reads them. The init function takes two arguments on purpose: the workbench then
     skips init args, which it would otherwise read from this block and its children together. */
  var block = window.PersonalizedPath.start(runtime, element);
  var messages = block.messages;

  function absolute(url) {
    try { return new window.URL(url, document.baseURI).href; } catch (ignore) { return url; }
  }

  function alreadyLoaded(tag, attribute, url) {
    var wanted = absolute(url);
    return Array.prototype.some.call(document.querySelectorAll(tag + "[" + attribute + "]"), function (node) {
      return absolute(node.getAttribute(attribute)) === wanted;
    });
  }

  /* Add one fragment resource to the page; resolves once a script or stylesheet has loaded. */
  function loadResource(resource) {
    return new Promise(function (resolve) {
      var node;
      var isCss = resource.mimetype === "text/css";
      var isJs = resource.mimetype === "application/javascript" || resource.mimetype === "text/javascript";
      if (resource.kind === "url" && isCss && !alreadyLoaded("link", "href", resource.data)) {
        node = document.createElement("link");
        node.rel = "stylesheet";
        node.href = resource.data;
      } else if (resource.kind === "url" && isJs && !alreadyLoaded("script", "src", resource.data)) {
        node = document.createElement("script");
        node.src = resource.data;
        node.async = false;
      } else if (resource.kind === "text" && (isCss || isJs)) {
        node = document.createElement(isCss ? "style" : "script");
        node.textContent = resource.data;
        document.head.appendChild(node);
        resolve();
        return;
      } else {
        resolve();
        return;
      }
      node.onload = node.onerror = function () { resolve(); };
      document.head.appendChild(node);
    });
  }

  function loadResources(resources) {
    return resources.reduce(function (chain, resource) {
      return chain.then(function () { return loadResource(resource); });
    }, Promise.resolve());
  }

  /* The runtime initialises blocks found on page load; children swapped in later need the same. */
  function initialiseChildren() {
    var container = block.root().querySelector(".pp-gate-children");
    if (container && window.XBlock && window.XBlock.initializeBlocks && window.jQuery) {
      window.XBlock.initializeBlocks(window.jQuery(container));
    }
  }

  var checking = false;

  /* Ask the server to re-read every source. `button` is the "Check again" button the learner
     pressed, or null when a block this gate watches reported a submit (`source` is its title):
     then focus stays where the learner is, and the status says what prompted the check. */
  function recheck(button, source) {
    if (checking) { return; }
    checking = true;
    function say(key) {
      return source ? messages["auto_" + key].split("%(source)s").join(source) : messages[key];
    }
    block.send("check_again", {}, {button: button, pending: messages.checking}).then(function (result) {
      checking = false;
      if (!result.ok) { return; }
      if (typeof result.data.html !== "string" && !result.data.parts) {
        block.fail(result);
        return;
      }
      if (!result.data.unlocked) {
        block.update(result.data, button ? ".pp-gate-check" : false);
        block.status(say("still_locked"));
        return;
      }
      loadResources(result.data.resources || []).then(function () {
        block.swap(result.data.html, button ? ".pp-title" : false);
        initialiseChildren();
        block.status(say("unlocked"));
      });
    });
  }

  block.element.addEventListener("click", function (event) {
    var button = event.target.closest(".pp-gate-check");
    if (!button || button.closest(".pp-mastery-gate") !== block.root()) { return; }
    recheck(button, null);
  });

  /* A locked gate re-checks by itself after a learner's change in one of the blocks it reads. */
  block.watch(function (detail) {
    if (block.root().getAttribute("data-state") === "locked") { recheck(null, detail.title || ""); }
  });
}
