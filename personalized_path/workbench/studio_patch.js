/* Loaded into the workbench's Studio pages by personalized_path.workbench.middleware. */
(function () {
  function csrf() { var m = document.cookie.match(/(?:^|; )csrftoken=([^;]*)/); return m ? decodeURIComponent(m[1]) : ""; }
  if (window.jQuery) {
    jQuery.ajaxPrefilter(function (options, original, xhr) {
      if (!/^(GET|HEAD|OPTIONS)$/i.test(options.type)) { xhr.setRequestHeader("X-CSRFToken", csrf()); }
    });
  }
  if (window.RuntimeProvider) {
    RuntimeProvider.versions[1].notify = function (name, data) {
      var box = document.getElementById("pp-workbench-notice");
      if (!box) {
        box = document.createElement("p"); box.id = "pp-workbench-notice"; box.setAttribute("role", "status");
        document.querySelector(".main").prepend(box);
      }
      data = data || {};
      if (name === "save" && data.state === "start") { box.textContent = data.message || "Saving"; }
      if (name === "save" && data.state === "end") { box.textContent = "Saved."; window.location.href = window.location.pathname.replace(/studio_view\/?$/, "") + window.location.search; }
      if (name === "error") { box.textContent = (data.title || "Error") + ": " + (data.message || ""); }
      if (name === "cancel") { window.location.href = window.location.pathname.replace(/studio_view\/?$/, "") + window.location.search; }
    };
  }
}());
