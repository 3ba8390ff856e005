"""
Groups handed to Open edX Teams, in a real LMS (issue 27): the learning plan's Teams CSV, as a teacher
downloads it through the LMS's own handler URL, is accepted by the platform's own
``TeamMembershipImportManager`` for a course with a matching team-set; the memberships exist afterwards,
with each learner's enrollment mode (read from the LMS's ``enrollments`` service), and the Teams API
lists the learner's team.
"""
import csv
import io
import json

from tests.lms.platform import platform_or_skip

platform_or_skip()

# pylint: disable=wrong-import-position,import-error
from django.urls import reverse  # noqa: E402
from edx_django_utils.cache import RequestCache  # noqa: E402
from opaque_keys.edx.locator import CourseLocator  # noqa: E402

from common.djangoapps.student.tests.factories import AdminFactory, CourseEnrollmentFactory, UserFactory  # noqa: E402
from lms.djangoapps.teams.csv import TeamMembershipImportManager  # noqa: E402
from lms.djangoapps.teams.models import CourseTeamMembership  # noqa: E402
from openedx.core.djangoapps.content.course_overviews.models import CourseOverview  # noqa: E402
from openedx.core.lib.teams_config import TeamsConfig  # noqa: E402
from xmodule.modulestore.tests.django_utils import ModuleStoreTestCase  # noqa: E402

from tests.lms.olx import check_and_plan_course, import_olx  # noqa: E402

PASSWORD = "Password1234"
ORG, NUMBER, RUN = "PersonalizedX", "GRP101", "2026"
LEARNERS = [f"learner{number}" for number in range(8)]


def key(block_type, block_id):
    return CourseLocator(ORG, NUMBER, RUN).make_usage_key(block_type, block_id)


class TeamsExportTest(ModuleStoreTestCase):
    """Eight learners (half verified, half audit) who answered a check; a team-set "projects"."""

    def setUp(self):
        super().setUp()
        self.course = import_olx(self.store, self.user.id, check_and_plan_course("Groups"),
                                 CourseLocator(ORG, NUMBER, RUN))
        self.course.teams_configuration = TeamsConfig({"team_sets": [
            {"id": "projects", "name": "Projects", "description": "Project teams", "max_team_size": 6}]})
        self.course = self.store.update_item(self.course, self.user.id)
        CourseOverview.load_from_module_store(self.course.id)
        self.modes = {}
        for number, name in enumerate(LEARNERS):
            user = UserFactory(username=name, password=PASSWORD)
            self.modes[name] = "verified" if number % 2 else "audit"
            CourseEnrollmentFactory(user=user, course_id=self.course.id, mode=self.modes[name])
            response = self.handler(name, "personalized_skill_check", "check", "submit",
                                    {"answers": {"half": ["a" if number % 2 else "b"]}})
            assert response.status_code == 200, response.content
        self.teacher = AdminFactory(username="teacher", password=PASSWORD)

    def login(self, name):
        self.client.logout()
        assert self.client.login(username=name, password=PASSWORD)
        RequestCache.clear_all_namespaces()

    def url(self, block_type, block_id, handler):
        return reverse("xblock_handler", kwargs={"course_id": str(self.course.id),
                                                 "usage_id": str(key(block_type, block_id)), "handler": handler})

    def handler(self, name, block_type, block_id, handler, payload):
        self.login(name)
        return self.client.post(self.url(block_type, block_id, handler), data=json.dumps(payload),
                                content_type="application/json")

    def test_the_exported_groups_become_teams_through_the_platforms_own_import(self):
        proposed = self.handler("teacher", "personalized_learning_plan", "plan", "propose_groups",
                                {"kind": "mixed", "size": 4})
        assert proposed.status_code == 200, proposed.content
        proposal = proposed.json()["proposal"]
        assert sorted(name for group in proposal["groups"] for name in group["members"]) == LEARNERS
        groups = proposal["groups"]
        groups[0]["name"] = "Owls"
        saved = self.handler("teacher", "personalized_learning_plan", "plan", "save_groups",
                             {"kind": "mixed", "skills": proposal["skills"], "groups": groups, "revision": 0})
        assert saved.status_code == 200, saved.content

        self.login("teacher")
        response = self.client.get(self.url("personalized_learning_plan", "plan", "groups_csv"),
                                   {"team_set": "projects"})
        assert response.status_code == 200, response.content
        text = response.content.decode("utf-8")
        rows = list(csv.DictReader(io.StringIO(text)))
        assert list(rows[0]) == ["username", "external_user_id", "mode", "projects"]
        assert {row["username"]: row["mode"] for row in rows} == self.modes  # from the enrollments service

        manager = TeamMembershipImportManager(self.course)
        accepted = manager.set_team_membership_from_csv(io.BytesIO(text.encode("utf-8")))
        assert accepted, manager.validation_errors
        teams = {membership.user.username: membership.team.name
                 for membership in CourseTeamMembership.objects.filter(team__course_id=self.course.id)}
        expected = {name: group["name"] or f"Group {index + 1}" for index, group in enumerate(groups)
                    for name in group["members"]}
        assert teams == expected

        # The learner's view of Teams (the API the Teams page reads) lists their team.
        member = groups[0]["members"][0]
        self.login(member)
        listed = self.client.get(reverse("teams_list"), {"course_id": str(self.course.id), "username": member})
        assert listed.status_code == 200, listed.content
        assert [team["name"] for team in listed.json()["results"]] == ["Owls"]

    def test_the_plan_makes_the_teams_itself_leaving_out_a_masters_learner_of_a_mixed_group(self):
        masters = UserFactory(username="masterslearner", password=PASSWORD)
        CourseEnrollmentFactory(user=masters, course_id=self.course.id, mode="masters")
        assert self.handler("masterslearner", "personalized_skill_check", "check", "submit",
                            {"answers": {"half": ["a"]}}).status_code == 200
        proposal = self.handler("teacher", "personalized_learning_plan", "plan", "propose_groups",
                                {"kind": "similar", "count": 2}).json()["proposal"]
        saved = self.handler("teacher", "personalized_learning_plan", "plan", "save_groups",
                             {"kind": "similar", "skills": proposal["skills"], "groups": proposal["groups"],
                              "revision": 0})
        assert saved.status_code == 200, saved.content
        made = self.handler("teacher", "personalized_learning_plan", "plan", "create_teams", {"team_set": "projects"})
        assert made.status_code == 200, made.content
        answer = made.json()
        assert answer["problems"] == [] and answer["added"] == 8, answer
        assert len(answer["refusals"]) == 1 and answer["refusals"][0].startswith("masterslearner was not added to")
        members = set(CourseTeamMembership.objects.filter(team__course_id=self.course.id)
                      .values_list("user__username", flat=True))
        assert members == set(LEARNERS)
