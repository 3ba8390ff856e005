"""
The links in progress updates (issue 28): confirm and stop, for people without an account, by a signed
token (``updates.link``). Confirming takes a button press (a link opened by a mail scanner must not
consent for anyone); stopping is one click (GET, or a one-click POST), and never needs more.
"""
from django.http import HttpResponse
from django.utils.html import format_html
from django.utils.translation import get_language_info
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from personalized_path.core import N_
from personalized_path.openedx import updates

TITLE = N_("Progress updates")
PAGE = ('<!DOCTYPE html><html lang="{}" dir="{}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1"><title>{}</title></head>'
        '<body><main><h1>{}</h1><p>{}</p>{}</main></body></html>')


def _page(language, sentence, form="", status=200):
    """A page in ``language`` saying ``sentence`` (plain text, escaped here)."""
    try:
        bidi = get_language_info(language)["bidi"]
    except KeyError:
        bidi = False
    title = updates.translated(language, TITLE)
    html = format_html(PAGE, language, "rtl" if bidi else "ltr", title, title, sentence, form)
    return HttpResponse(html, status=status, content_type="text/html; charset=utf-8")


def _unknown():
    return _page("en", updates.translated("en", N_("This link is not valid any more. Nothing was changed.")),
                 status=404)


@csrf_exempt  # the signed token in the address is the authority; there is no session to protect
@require_http_methods(["GET", "POST"])
def confirm_updates(request, token):
    recipient = updates.recipient_of(token, "confirm")
    if recipient is None:
        return _unknown()
    language, names = recipient.language, {"learner": recipient.learner_name, "course": recipient.course_name}
    if request.method == "POST":
        done = updates.confirm(recipient) == "confirmed"
        return _page(language, updates.translated(language, N_(
            "Thank you. You will receive %(learner)s's progress updates.") if done else N_(
            "These updates were stopped; nothing more will be sent."), names if done else None))
    form = format_html('<form method="post"><button type="submit">{}</button></form>',
                       updates.translated(language, N_("Yes, send me these updates")))
    return _page(language, updates.translated(language, N_(
        "%(learner)s would like to send you updates on their progress in %(course)s."), names), form)


@csrf_exempt  # one-click stop, also as the POST mail programs send for List-Unsubscribe-Post
@require_http_methods(["GET", "POST"])
def stop_updates(request, token):
    recipient = updates.recipient_of(token, "stop")
    if recipient is None:
        return _unknown()
    updates.stop(recipient)
    return _page(recipient.language, updates.translated(recipient.language, N_(
        "Done: you will receive no more updates about %(learner)s from this course."),
        {"learner": recipient.learner_name}))
