"""
Issue 28's messages through edx-ace's real pipeline in the workbench (policies, Django email channel,
rendering, delivery) into Django's locmem email backend, and the workbench's page of sent messages.
"""
from datetime import timezone

import pytest
from django.test import Client

from personalized_path.openedx import messaging
from personalized_path.workbench.models import SentEmail
from tests.harness import free_port

LEARNER = "<b>Ana</b>"
STOP = "https://lms.example.com/personalized_path/stop/abc?x=1&y=2"
UPDATE_CONTEXT = {
    "learner_name": LEARNER, "course_name": "Fractions & decimals", "plan_url": "https://lms.example.com/plan",
    "confirm_url": "https://lms.example.com/personalized_path/confirm/abc", "stop_url": STOP,
    "changes": ["Mastered <i>halves</i>"],
    "sections": [{"title": "Skills", "lines": ["Halves: mastered <script>x</script>"]}],
}
NUDGE_CONTEXT = {"sentence": "Your check-in on <em>goal</em> is 3 days late.",
                 "url": "https://lms.example.com/plan?a=1&b=2"}
# A word of each language's greeting, and the direction its HTML must declare.
GREETINGS = {"en": ("Hello", "ltr"), "es": ("Hola", "ltr"), "ar": ("مرحبًا", "rtl")}
SUBJECTS = {("confirm_request", "es"): "quiere enviarte noticias de su progreso",
            ("progress_digest", "ar"): "التقدّم الأسبوعي", ("review_due", "es"): "Es hora de repasar una habilidad",
            ("stuck_at_gate", "ar"): "طريق للمضي قدمًا في مقرّرك", ("checkin_overdue", "en"): "A check-in is waiting"}


def html_of(email):
    [(html, mimetype)] = email.alternatives
    assert mimetype == "text/html"
    return html


def send(kind, language):
    if kind in messaging.UPDATE_KINDS:
        messaging.send_update(kind, "mentor@example.com", "Grandma <3", UPDATE_CONTEXT, language)
        return STOP
    assert messaging.nudge_learner(kind, "student_7", "course-v1:X+Y+Z", NUDGE_CONTEXT, language) == "ace"
    return NUDGE_CONTEXT["url"]


@pytest.mark.parametrize("language", sorted(GREETINGS))
@pytest.mark.parametrize("kind", messaging.UPDATE_KINDS + messaging.NUDGE_KINDS)
def test_each_kind_renders_text_and_html_translated_escaped_and_with_its_stop_link(kind, language, mailoutbox):
    stop_link = send(kind, language)
    [email] = mailoutbox
    html = html_of(email)
    greeting, direction = GREETINGS[language]
    assert greeting in email.body and greeting in html
    assert f'dir="{direction}"' in html and f'lang="{language}"' in html
    assert stop_link in email.body and stop_link.replace("&", "&amp;") in html
    expected_subject = SUBJECTS.get((kind, language))
    assert expected_subject is None or expected_subject in email.subject
    if kind in messaging.UPDATE_KINDS:
        assert email.to == ["mentor@example.com"]
        assert LEARNER in email.body and "&lt;b&gt;Ana&lt;/b&gt;" in html and LEARNER not in html
        assert "Grandma <3" in email.body and "Grandma &lt;3" in html
        assert "<script>" not in html and "&lt;script&gt;x&lt;/script&gt;" in html
    else:
        assert email.to == ["student_7@example.com"]
        assert "<em>goal</em>" in email.body and "&lt;em&gt;goal&lt;/em&gt;" in html and "<em>" not in html


def test_the_digest_says_what_the_learner_shares_and_the_change_what_changed(mailoutbox):
    messaging.send_update("progress_change", "mentor@example.com", "Grandma", UPDATE_CONTEXT, "en")
    messaging.send_update("progress_digest", "mentor@example.com", "Grandma", UPDATE_CONTEXT, "es")
    change, digest = mailoutbox
    assert "- Mastered <i>halves</i>" in change.body and "Skills\n- Halves: mastered" in change.body
    assert "Esto es lo que <b>Ana</b> eligió compartir" in digest.body
    assert "Mastered" not in digest.body  # the changes belong to the change update only
    confirm_html = []
    messaging.send_update("confirm_request", "mentor@example.com", "Grandma", UPDATE_CONTEXT, "en")
    confirm_html.append(html_of(mailoutbox[-1]))
    assert 'href="https://lms.example.com/personalized_path/confirm/abc"' in confirm_html[0]
    assert "Nothing is sent until you confirm." in mailoutbox[-1].body


def test_a_channel_that_refuses_raises_message_not_sent(settings, mailoutbox):
    settings.DEFAULT_FROM_EMAIL = ""  # edx-ace's email channel refuses a message with no sender
    with pytest.raises(messaging.MessageNotSent):
        messaging.send_update("progress_digest", "mentor@example.com", "Grandma", UPDATE_CONTEXT, "en")
    settings.DEFAULT_FROM_EMAIL = "pp@example.com"
    # An SMTP server that is not there: the connection is refused.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 5
    with pytest.raises(messaging.MessageNotSent):
        messaging.nudge_learner("review_due", "student_7", "course-v1:X+Y+Z", NUDGE_CONTEXT, "en")
    assert not mailoutbox


@pytest.mark.parametrize("kind, context", [("weekly", UPDATE_CONTEXT),
                                           ("progress_digest", dict(UPDATE_CONTEXT, stop_url="javascript:alert(1)"))])
def test_an_unknown_kind_or_a_link_that_is_no_web_address_is_a_programming_error(kind, context, mailoutbox):
    with pytest.raises(ValueError):
        messaging.send_update(kind, "mentor@example.com", "Grandma", context, "en")
    assert not mailoutbox


@pytest.mark.django_db
def test_the_workbench_page_lists_a_sent_message_escaped_as_text_and_html(settings):
    settings.EMAIL_BACKEND = "personalized_path.workbench.mailbox.KeptEmailBackend"
    messaging.send_update("progress_change", "mentor@example.com", "Grandma", UPDATE_CONTEXT, "ar")
    page = Client().get("/messages/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "mentor@example.com" in text and "أخبار تقدّم &lt;b&gt;Ana&lt;/b&gt;" in text
    assert "<b>Ana</b>" not in text
    sent = SentEmail.objects.get()
    assert f"{sent.sent.astimezone(timezone.utc):%Y-%m-%d %H:%M:%S} UTC" in text
    # The HTML version sits escaped in a sandboxed frame's srcdoc: its own escapes escaped once more.
    assert "<iframe sandbox" in text and "&amp;lt;b&amp;gt;Ana&amp;lt;/b&amp;gt;" in text
    assert 'dir=&quot;rtl&quot;' in text
    home = Client().get("/").content.decode()
    assert 'href="/messages/"' in home


@pytest.mark.django_db
def test_the_workbench_page_says_when_nothing_was_sent():
    assert "No message yet." in Client().get("/messages/").content.decode()
