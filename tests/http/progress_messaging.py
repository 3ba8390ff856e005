"""
The messaging contract of openedx/messaging.py (``send_update``, ``nudge_learner``, ``MessageNotSent``),
sending through Django's ``mail.send_mail`` so the tests read real emails from the locmem outbox.
Named by ``PERSONALIZED_PATH_MESSAGING`` in tests/http/test_progress_updates.py.
"""
from django.core import mail

LOCMEM = "django.core.mail.backends.locmem.EmailBackend"  # also in a workbench server the browser tests start
REFUSED = set()  # addresses the channel refuses, for the tests of a message that could not be sent


class MessageNotSent(Exception):
    """The channel refused the message."""


def send_update(kind, to_address, to_name, context, language):
    if to_address in REFUSED:
        raise MessageNotSent(to_address)
    lines = [f"To {to_name} ({language}) about {context['learner_name']} in {context['course_name']}",
             *context["changes"]]
    for section in context["sections"]:
        lines += [section["title"], *section["lines"]]
    lines += [f"confirm: {context['confirm_url']}" if "confirm_url" in context else "", f"stop: {context['stop_url']}"]
    mail.send_mail(kind, "\n".join(lines), "plan@example.org", [to_address], connection=mail.get_connection(LOCMEM))


def nudge_learner(kind, user_id, course_key, context, language):
    mail.send_mail(kind, f"{context['sentence']}\n{context['url']}\n{course_key} {language}", "plan@example.org",
                   [f"{user_id}@example.com"], connection=mail.get_connection(LOCMEM))
    return "ace"
