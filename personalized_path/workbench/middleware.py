"""Small request/response patches that make the workbench behave like the LMS and Studio."""
from django.utils import translation

# xblock-sdk 0.14's Studio page has no runtime.notify, and xblock.utils' editor posts with
# jQuery's global:false, which skips the workbench's CSRF ajaxSend hook.
STUDIO_PATCH = """<script>
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
      if (name === "save" && data.state === "end") { box.textContent = "Saved."; window.location.href = window.location.pathname.replace(/studio_view\\/?$/, "") + window.location.search; }
      if (name === "error") { box.textContent = (data.title || "Error") + ": " + (data.message || ""); }
      if (name === "cancel") { window.location.href = window.location.pathname.replace(/studio_view\\/?$/, "") + window.location.search; }
    };
  }
}());
</script>"""


def language_from_query(get_response):
    """``?lang=es`` switches the workbench's language (and remembers it in Django's cookie)."""
    def middleware(request):
        language = request.GET.get("lang")
        if language and translation.check_for_language(language):
            translation.activate(language)
            request.LANGUAGE_CODE = language
            response = get_response(request)
            response.set_cookie("django_language", language)
            return response
        return get_response(request)
    return middleware


def studio_runtime_patch(get_response):
    """Add STUDIO_PATCH to workbench pages, after the runtime script and before blocks initialise."""
    def middleware(request):
        response = get_response(request)
        if "/studio_view" in request.path and response.get("Content-Type", "").startswith("text/html"):
            body = response.content.decode("utf-8")
            response.content = body.replace("</body>", STUDIO_PATCH + "</body>", 1).encode("utf-8")
            response["Content-Length"] = str(len(response.content))
        return response
    return middleware
