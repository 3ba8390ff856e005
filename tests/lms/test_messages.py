"""
Issue 28's messages in a real LMS: edx-ace with the platform's settings (``ace_common``'s channels and
policies: the ``django_email`` channel, the ``bulk_email_optout`` policy) into Django's locmem email
backend, which is how the platform's own tests read the email it sends (``mail.outbox``), rendered with
the platform's email layout (``ace_common/edx_ace/common/base_body.html``) and base context.
Run with ``make test-lms LMS=<edx-platform checkout> PYTEST_ARGS="-k ace"``.

``AceTaskTest`` goes through the Celery task for a learner who opted in: it needs the scheduling half of
issue 28 (``personalized_path.openedx.updates.send_due``) and skips itself, saying so, where it is not there.
"""
import importlib.util
import json
import re
from datetime import datetime, timedelta, timezone

from tests.lms.platform import platform_or_skip

platform_or_skip()

# pylint: disable=wrong-import-position,wrong-import-order,import-error
from django.conf import settings  # noqa: E402
from django.core import mail  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import TestCase  # noqa: E402
from django.urls import reverse  # noqa: E402
from edx_django_utils.cache import RequestCache  # noqa: E402
from freezegun import freeze_time  # noqa: E402
from opaque_keys.edx.locator import CourseLocator  # noqa: E402

from common.djangoapps.student.tests.factories import AdminFactory, CourseEnrollmentFactory, UserFactory  # noqa: E402
from lms.djangoapps.bulk_email.models import Optout  # noqa: E402
from openedx.core.djangoapps.content.course_overviews.models import CourseOverview  # noqa: E402
from xmodule.modulestore.tests.django_utils import ModuleStoreTestCase  # noqa: E402

from personalized_path.openedx import messaging  # noqa: E402
from personalized_path.openedx.tasks import send_progress_updates  # noqa: E402
from tests.lms.olx import check_and_plan_course, import_olx  # noqa: E402

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
        assert messaging.nudge_learner("review_due", str(learner.id), str(COURSE), NUDGE, "en") == "ace"
        [email] = mail.outbox
        assert email.to == [learner.email] and "A skill is due for review." in email.body
        assert_platform_layout(html_of(email), "review_due")
        # The learner's "email from this course" setting (the dashboard's email settings), which the
        # platform's bulk_email_optout policy applies to every edx-ace message naming the course.
        Optout.objects.create(user=learner, course_id=COURSE)
        assert messaging.nudge_learner("review_due", learner.id, COURSE, NUDGE, "en") == "off"
        assert len(mail.outbox) == 1

    def test_ace_nudge_to_an_unknown_learner_is_not_sent(self):
        for user_id in (987654, "987654", "not-a-number"):
            with self.assertRaises(messaging.MessageNotSent):
                messaging.nudge_learner("review_due", user_id, COURSE, NUDGE, "en")
        assert not mail.outbox


PASSWORD = "Password1234"
GRANDMA = {"name": "Grandma <3", "email": "grandma@example.com", "frequency": "weekly", "include_goals": False,
           "include_checkins": False}
LINK = re.compile(r"https?://\S+")


class AceTaskTest(ModuleStoreTestCase):
    """A learner names a person on the plan; the person confirms by the emailed link; the task sends the digest."""

    def setUp(self):
        super().setUp()
        if importlib.util.find_spec("personalized_path.openedx.updates") is None:
            self.skipTest("needs the scheduling half of issue 28 (personalized_path.openedx.updates.send_due)")
        self.course = import_olx(self.store, self.user.id, check_and_plan_course("Fractions"), COURSE)
        CourseOverview.load_from_module_store(self.course.id)
        learner = UserFactory(username="ana", password=PASSWORD)
        learner.profile.year_of_birth = 1990  # an adult: the platform's parental-consent age rule does not apply
        learner.profile.save()
        self.learner_email = learner.email
        CourseEnrollmentFactory(user=learner, course_id=self.course.id)
        AdminFactory(username="teacher", password=PASSWORD)
        # The plan's class summary, which the task reads (never learner state): recorded, then built.
        assert self.handler("teacher", "personalized_learning_plan", "class_grid", {}).status_code == 200
        call_command("rebuild_learning_plan_summaries", "--course", str(self.course.id))
        assert self.handler("ana", "personalized_skill_check", "submit",
                            {"answers": {"half": ["a"]}}).status_code == 200
        mail.outbox = []

    def handler(self, name, block_type, handler, payload):
        self.client.logout()
        assert self.client.login(username=name, password=PASSWORD)
        RequestCache.clear_all_namespaces()
        block_id = "plan" if block_type == "personalized_learning_plan" else "check"
        url = reverse("xblock_handler", kwargs={"course_id": str(self.course.id), "handler": handler,
                                                "usage_id": str(COURSE.make_usage_key(block_type, block_id))})
        return self.client.post(url, data=json.dumps(payload), content_type="application/json")

    def test_ace_task_sends_the_weekly_digest_to_a_person_who_confirmed(self):
        added = self.handler("ana", "personalized_learning_plan", "add_update_recipient", GRANDMA)
        assert added.status_code == 200, added.content
        [request] = mail.outbox
        assert request.to == ["grandma@example.com"] and "Grandma <3" in request.body
        assert_platform_layout(html_of(request), "confirm_request")
        confirm_url = next(url for url in LINK.findall(request.body) if "/confirm/" in url)
        self.client.logout()  # the person has no account: the page asks, the button confirms
        assert self.client.get(confirm_url).status_code == 200
        assert self.client.post(confirm_url).status_code == 200
        mail.outbox = []

        send_progress_updates.delay()  # the LMS's Celery runs it eagerly in its test settings
        assert not [email for email in mail.outbox if email.to == ["grandma@example.com"]]  # not a week yet
        with freeze_time(datetime.now(timezone.utc) + timedelta(days=8)):
            send_progress_updates.delay()
            sent = len(mail.outbox)
            send_progress_updates.delay()  # the same moment again: nothing goes twice
            assert len(mail.outbox) == sent
        [digest] = [email for email in mail.outbox if email.to == ["grandma@example.com"]]
        assert "Weekly progress of" in digest.subject and "Fractions" in digest.subject
        html = html_of(digest)
        assert_platform_layout(html, "progress_digest")
        assert "Hello Grandma &lt;3," in html and "Hello Grandma <3," in digest.body
        stop_url = next(url for url in LINK.findall(digest.body) if "/stop/" in url)
        assert stop_url.replace("&", "&amp;") in html
        # The learner's own nudges (the skill answered eight days ago is due for review) went by ACE too.
        [nudge] = [email for email in mail.outbox if email.to == [self.learner_email]]
        assert nudge.subject == "Time to review a skill" and "Switch reminders off" in nudge.body
        assert_platform_layout(html_of(nudge), "review_due")
