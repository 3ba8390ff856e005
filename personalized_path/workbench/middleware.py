"""Small request/response patches that make the workbench behave like the LMS and Studio."""
from importlib import resources
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils import translation

from .services import DAYS_LATER, TIME_ZONE

TIME_ZONE_COOKIE = "pp_time_zone"

# xblock-sdk 0.14's Studio page has no runtime.notify, and xblock.utils' editor posts with
# jQuery's global:false, which skips the workbench's CSRF ajaxSend hook.
STUDIO_PATCH = "<script>{}</script>".format(
    resources.files(__package__).joinpath("studio_patch.js").read_text(encoding="utf-8"))


def language_from_query(get_response):
    """``?lang=es`` switches the workbench's language (and remembers it in Django's cookie)."""
    def middleware(request):
        language = request.GET.get("lang")
        if language and translation.check_for_language(language):
            with translation.override(language):
                request.LANGUAGE_CODE = language
                response = get_response(request)
            response.set_cookie("django_language", language)
            return response
        return get_response(request)
    return middleware


def html_direction(get_response):
    """Give workbench pages the language and direction of the request (right to left for Arabic), as the LMS does."""
    def middleware(request):
        response = get_response(request)
        if response.get("Content-Type", "").startswith("text/html") and not getattr(response, "streaming", False):
            language = translation.get_language() or "en"
            direction = "rtl" if translation.get_language_bidi() else "ltr"
            body = response.content.decode("utf-8").replace("<html>", f'<html lang="{language}" dir="{direction}">', 1)
            response.content = body.encode("utf-8")
            response["Content-Length"] = str(len(response.content))
        return response
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


def clock_from_cookie(get_response):
    """The ``pp_days_later`` cookie (a number of days, 0 to 3650) moves the blocks' clock on for this request."""
    def middleware(request):
        try:
            days = float(request.COOKIES.get("pp_days_later", 0))
        except ValueError:
            days = 0.0
        token = DAYS_LATER.set(days if 0 <= days <= 3650 else 0.0)
        try:
            return get_response(request)
        finally:
            DAYS_LATER.reset(token)
    return middleware


def known_zone(name):
    """``name`` when it is an IANA time zone this machine knows ("Pacific/Auckland", "UTC"), else None."""
    if not name or len(name) > 64:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name


def time_zone_preference(get_response):
    """
    The demo user's time zone preference, as the LMS keeps one per user: ``?tz=Pacific/Auckland``
    chooses it (remembered in a cookie, ``?tz=UTC`` goes back), and the user service hands it to the blocks.
    """
    def middleware(request):
        chosen = known_zone(request.GET.get("tz"))
        token = TIME_ZONE.set(chosen or known_zone(request.COOKIES.get(TIME_ZONE_COOKIE)))
        try:
            response = get_response(request)
        finally:
            TIME_ZONE.reset(token)
        if chosen:
            response.set_cookie(TIME_ZONE_COOKIE, chosen, samesite="Lax")
        return response
    return middleware
