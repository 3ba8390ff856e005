"""
Issue 28's messages in a real LMS: edx-ace with the platform's settings (``ace_common``'s channels and
policies: the ``django_email`` channel, the ``bulk_email_optout`` policy) into Django's locmem email
backend, which is how the platform's own tests read the email it sends (``mail.outbox``), rendered with
the platform's email layout (``ace_common/edx_ace/common/base_body.html``) and base context.
Run with ``make test-lms LMS=<edx-platform checkout> PYTEST_ARGS="-k ace"``.
"""
from tests.lms.platform import platform_or_skip

platform_or_skip()

# pylint: disable=wrong-import-position,wrong-import-order,import-error
from django.conf import settings  # noqa: E402
from django.core import mail  # noqa: E402
from django.test import TestCase  # noqa: E402
from opaque_keys.edx.locator import CourseLocator  # noqa: E402

from common.djangoapps.student.tests.factories import UserFactory  # noqa: E402
from lms.djangoapps.bulk_email.models import Optout  # noqa: E402

from personalized_path.openedx import messaging  # noqa: E402

COURSE = CourseLocator("PersonalizedX", "MSG101", "2026")
STOP = "https://lms.example.com/personalized_path/stop/abc?x=1&y=2"
UPDATE = {"learner_name": "<b>Ana</b>", "course_name": "Fractions", "plan_url": "", "stop_url": STOP,
          "confirm_url": "https://lms.example.com/personalized_path/confirm/abc", "changes": [],
          "sections": [{"title": "Skills", "lines": ["Halves: mastered"]}]}
NUDGE = {"sentence": "A skill is due for review.", "url": "https://lms.example.com/courses/plan"}


def html_of(email):
    [(html, mimetype)] = email.alternatives
    assert mimetype == "text/html"
    return html


def assert_platform_layout(html, message_name):
    """What only the platform's ace_common base_body.html puts in an email."""
    assert 'id="ace-message-id"' in html and f"personalized_path.{message_name}." in html
    assert "All rights reserved" in html and str(settings.PLATFORM_NAME) in html


class AceMessagesTest(TestCase):
    """Through the platform's edx-ace configuration, with no request (as in a Celery task)."""

    def setUp(self):
        super().setUp()
        mail.outbox = []

    def test_ace_update_goes_through_the_platform_channel_with_its_email_layout(self):
        messaging.send_update("progress_digest", "mentor@example.com", "Grandma", UPDATE, "es")
        [email] = mail.outbox
        assert email.to == ["mentor@example.com"]
        html = html_of(email)
        assert_platform_layout(html, "progress_digest")
        assert "Hola, Grandma:" in email.body and "Hola, Grandma:" in html  # the package's catalog inside it
        assert "<b>Ana</b>" in email.body and "&lt;b&gt;Ana&lt;/b&gt;" in html and "<b>Ana</b>" not in html
        assert STOP in email.body and STOP.replace("&", "&amp;") in html

    def test_ace_update_in_arabic_is_laid_out_right_to_left_by_the_platform_layout(self):
        messaging.send_update("confirm_request", "mentor@example.com", "Grandma", UPDATE, "ar")
        html = html_of(mail.outbox[0])
        assert_platform_layout(html, "confirm_request")
        assert 'dir="rtl"' in html and "مرحبًا Grandma،" in html

    def test_ace_nudge_goes_to_the_learner_unless_the_learner_opted_out_of_the_course_email(self):
        learner = UserFactory()
        assert messaging.nudge_learner("review_due", learner.id, COURSE, NUDGE, "en") == "ace"
        [email] = mail.outbox
        assert email.to == [learner.email] and "A skill is due for review." in email.body
        assert_platform_layout(html_of(email), "review_due")
        # The learner's "email from this course" setting (the dashboard's email settings), which the
        # platform's bulk_email_optout policy applies to every edx-ace message naming the course.
        Optout.objects.create(user=learner, course_id=COURSE)
        assert messaging.nudge_learner("review_due", learner.id, COURSE, NUDGE, "en") == "off"
        assert len(mail.outbox) == 1

    def test_ace_nudge_to_an_unknown_learner_is_not_sent(self):
        with self.assertRaises(messaging.MessageNotSent):
            messaging.nudge_learner("review_due", 987654, COURSE, NUDGE, "en")
        assert not mail.outbox
