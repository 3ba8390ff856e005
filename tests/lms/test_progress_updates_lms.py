"""
Progress updates in a real LMS (issue 28), the data side: a learner adds a person through the LMS's own
handler URL; the confirm link is served by the plugin's URLs where the LMS mounts them (``url_config``);
after confirmation the run sends a weekly digest built from the class summary (through messaging.py's
edx-ace with the platform's channel, into Django's locmem backend); the platform's parental-consent age
rule and the operator's switch; and the retirement pipeline's signal erases the addresses. (The edx-ace
rendering is tests/lms' messaging test.)
"""
import io
import json
import re
from datetime import datetime, timedelta, timezone

from tests.lms.platform import platform_or_skip

platform_or_skip()

# pylint: disable=wrong-import-position,wrong-import-order,import-error
from django.core import mail  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.urls import reverse  # noqa: E402
from edx_django_utils.cache import RequestCache  # noqa: E402
from opaque_keys.edx.locator import CourseLocator  # noqa: E402

from common.djangoapps.student.tests.factories import CourseEnrollmentFactory, UserFactory  # noqa: E402
from openedx.core.djangoapps.content.course_overviews.models import CourseOverview  # noqa: E402
from openedx.core.djangoapps.user_api.accounts.signals import USER_RETIRE_LMS_MISC  # noqa: E402
from xmodule.modulestore.tests.django_utils import ModuleStoreTestCase  # noqa: E402

from personalized_path.openedx import updates  # noqa: E402
from personalized_path.openedx.models import SentMessage, UpdateRecipient  # noqa: E402
from tests.lms.olx import check_and_plan_course, import_olx  # noqa: E402

PASSWORD = "Password1234"
ORG, NUMBER, RUN = "PersonalizedX", "UPD101", "2026"
GRANDMA = {"name": "Grandma", "email": "grandma@example.org", "frequency": "weekly", "include_goals": False,
           "include_checkins": False}


@override_settings(LMS_ROOT_URL="http://lms.test")
class ProgressUpdatesLmsTest(ModuleStoreTestCase):
    """One learner who answered the check, in a course with a learning plan."""

    def setUp(self):
        super().setUp()
        self.course = import_olx(self.store, self.user.id, check_and_plan_course("Fractions for families"),
                                 CourseLocator(ORG, NUMBER, RUN))
        CourseOverview.load_from_module_store(self.course.id)
        self.learner = UserFactory(username="ann", password=PASSWORD)
        CourseEnrollmentFactory(user=self.learner, course_id=self.course.id)
        assert self.handler("personalized_skill_check", "check", "submit",
                            {"answers": {"half": ["a"]}}).status_code == 200
        mail.outbox = []

    def url(self, block_type, block_id, handler):
        usage = self.course.id.make_usage_key(block_type, block_id)
        return reverse("xblock_handler", kwargs={"course_id": str(self.course.id), "usage_id": str(usage),
                                                 "handler": handler})

    def handler(self, block_type, block_id, handler, payload):
        self.client.logout()
        assert self.client.login(username="ann", password=PASSWORD)
        RequestCache.clear_all_namespaces()
        return self.client.post(self.url(block_type, block_id, handler), data=json.dumps(payload),
                                content_type="application/json")

    def test_a_confirmed_person_gets_a_weekly_digest_from_the_class_summary(self):
        added = self.handler("personalized_learning_plan", "plan", "add_update_recipient", GRANDMA)
        assert added.status_code == 200, added.content
        [request] = mail.outbox
        assert "would like to send you progress updates" in request.subject
        assert "Fractions for families" in request.body
        confirm = re.search(r"^Confirm the updates: (\S+)$", request.body, re.MULTILINE).group(1)
        assert f'href="{confirm}"' in request.alternatives[0][0]
        assert confirm.startswith("http://lms.test/personalized_path/progress-updates/confirm/")
        self.client.logout()
        assert self.client.post(confirm[len("http://lms.test"):]).status_code == 200
        assert UpdateRecipient.objects.get().status == "confirmed"
        call_command("rebuild_learning_plan_summaries", course=[str(self.course.id)], stdout=io.StringIO())
        mail.outbox = []
        assert updates.send_due(datetime.now(timezone.utc) + timedelta(days=8))["progress_digest"] == 1
        [digest] = [message for message in mail.outbox if message.to == ["grandma@example.org"]]
        assert digest.subject.startswith("Weekly progress of ") and digest.subject.endswith(" Fractions for families")
        assert "Skills\n- fractions: " in digest.body and "/personalized_path/progress-updates/stop/" in digest.body
        assert SentMessage.objects.filter(kind="progress_digest", user_id=str(self.learner.id)).count() == 1

    @override_settings(PARENTAL_CONSENT_AGE_LIMIT=13)
    def test_a_learner_under_the_platforms_age_limit_cannot_share_unless_the_operator_allows_it(self):
        profile = self.learner.profile
        profile.year_of_birth = datetime.now().year - 10
        profile.save()
        refused = self.handler("personalized_learning_plan", "plan", "add_update_recipient", GRANDMA)
        assert refused.status_code == 400
        assert refused.json()["error"] == "Progress updates are not available in this course."
        assert not mail.outbox
        with override_settings(PERSONALIZED_PATH_UPDATES_FOR_MINORS=True):
            added = self.handler("personalized_learning_plan", "plan", "add_update_recipient", GRANDMA)
        assert added.status_code == 200, added.content

    def test_retirement_erases_the_learners_recipients_and_logged_addresses(self):
        assert self.handler("personalized_learning_plan", "plan", "add_update_recipient", GRANDMA).status_code == 200
        USER_RETIRE_LMS_MISC.send(sender=self.__class__, user=self.learner)
        assert not UpdateRecipient.objects.exists()
        assert list(SentMessage.objects.values_list("recipient_hint", "recipient_name")) == [("", "")]
