"""
Skills as content tags in a real LMS (issue 29): the repo's small competency framework imported as a
taxonomy of the platform's tagging app, a course imported by the platform's importer whose skill check
and gate name two of its skills; after the import's ``course_published`` the blocks carry those skills
as their content tags, as Studio's tag drawer and the course's tag export read them.
"""
import io
from pathlib import Path

from tests.lms.platform import platform_or_skip

platform_or_skip()

# pylint: disable=wrong-import-position,wrong-import-order,import-error
from crum import impersonate  # noqa: E402
from opaque_keys.edx.locator import CourseLocator  # noqa: E402
from openedx.core.djangoapps.content_tagging import api as content_tagging  # noqa: E402
from xmodule.modulestore import ModuleStoreEnum  # noqa: E402
from xmodule.modulestore.tests.django_utils import ModuleStoreTestCase  # noqa: E402

from personalized_path.openedx.skill_tags import import_framework  # noqa: E402
from tests.lms.olx import attr, import_olx  # noqa: E402
from tests.plugin_signals import plugin_receivers  # noqa: E402

FRAMEWORK = Path(__file__).resolve().parents[1] / "fixtures" / "fractions_framework.json"
ORG, NUMBER, RUN = "PersonalizedX", "TAG101", "2026"
ADD, COMPARE = "3-nf-1", "3-nf-3"


def question(question_id, skill):
    return {"id": question_id, "prompt": f"{question_id}?", "kind": "single", "skill": skill,
            "choices": [{"id": "a", "text": "A"}, {"id": "b", "text": "B"}], "correct": ["a"]}


def key(block_type, block_id):
    return CourseLocator(ORG, NUMBER, RUN).make_usage_key(block_type, block_id)


def course_olx():
    check = key("personalized_skill_check", "check")
    return f"""<course display_name="Tagged skills" start="2020-01-01T00:00:00Z">
  <chapter url_name="week1" display_name="Week 1"><sequential url_name="lesson1" display_name="Lesson 1">
    <vertical url_name="unit1" display_name="Unit 1">
      <personalized_skill_check url_name="check" display_name="Fractions check"
          questions='{attr([question("add", ADD), question("compare", COMPARE), question("plain", "reasoning")])}'/>
      <personalized_mastery_gate url_name="gate" display_name="Lesson" skill_checks='{attr([str(check)])}'
          skills='{attr([{"skill": ADD, "threshold": 80}])}'>
        <html url_name="lesson">Lesson</html>
      </personalized_mastery_gate>
    </vertical>
  </sequential></chapter>
</course>"""


class FrameworkCourseTest(ModuleStoreTestCase):
    """The framework imported first, then the course (whose import ends with ``course_published``)."""

    ENABLED_SIGNALS = ["course_published"]

    def setUp(self):
        super().setUp()
        with open(FRAMEWORK, "rb") as file:
            self.taxonomy, _log = import_framework("Fractions framework", file, "json")
        self.course = import_olx(self.store, self.user.id, course_olx(), CourseLocator(ORG, NUMBER, RUN))

    def tag_values(self, block_type, block_id):
        return [tag.value for tag in content_tagging.get_object_tags(str(key(block_type, block_id)))
                if tag.taxonomy_id == self.taxonomy.id]


class SkillTagsTest(FrameworkCourseTest):
    """The blocks' skills as their content tags, and the framework as a taxonomy."""

    def test_a_blocks_framework_skills_are_its_content_tags(self):
        assert self.tag_values("personalized_skill_check", "check") == [
            "Compare fractions", "Understand a fraction as parts of a whole"]
        assert self.tag_values("personalized_mastery_gate", "gate") == ["Understand a fraction as parts of a whole"]
        # The course's tag export (Studio's "Export tags") lists them under the framework's name.
        buffer = io.StringIO()
        for _row in content_tagging.generate_csv_rows(str(self.course.id), buffer):
            pass
        assert self.taxonomy.export_id in buffer.getvalue() and "Compare fractions" in buffer.getvalue()

    def test_the_framework_is_a_taxonomy_every_organization_may_use(self):
        found = [taxonomy.id for taxonomy in content_tagging.get_taxonomies_for_org(org_short_name=ORG)]
        assert self.taxonomy.id in found
        tags = {tag["value"]: tag["parent_value"] for tag in content_tagging.get_tags(self.taxonomy)}
        assert tags == {"Fractions": None, "Compare fractions": "Fractions",
                        "Understand a fraction as parts of a whole": "Fractions",
                        "Place fractions on a number line": "Fractions"}


class TagDrawerTest(FrameworkCourseTest):
    """
    A tag removed the way Studio's tag drawer removes it (content_tagging's tag_object, which sends
    CONTENT_OBJECT_ASSOCIATIONS_CHANGED) leaves the block's draft. The tier runs the LMS's settings,
    so the plugin's Studio receivers are connected here from apps.py as Studio's plugin loading does.
    """

    def setUp(self):
        super().setUp()
        self.enterContext(plugin_receivers("cms.djangoapp", ("note_removed_tag", "skills_after_tag_change")))

    def block(self, block_type, block_id, branch):
        with self.store.branch_setting(branch, self.course.id):
            return self.store.get_item(key(block_type, block_id))

    def test_a_tag_removed_in_the_drawer_leaves_the_blocks_draft_written_as_the_author(self):
        check = key("personalized_skill_check", "check")
        with impersonate(self.user):
            content_tagging.tag_object(str(check), self.taxonomy, ["Understand a fraction as parts of a whole"])
        draft = self.block("personalized_skill_check", "check", ModuleStoreEnum.Branch.draft_preferred)
        assert [item.get("skill") for item in draft.questions] == [ADD, None, "reasoning"]
        assert draft.edited_by == self.user.id
        assert any("questions[1].skill" in message.text for message in draft.validate().messages)
        published = self.block("personalized_skill_check", "check", ModuleStoreEnum.Branch.published_only)
        assert [item["skill"] for item in published.questions] == [ADD, COMPARE, "reasoning"]
        content_tagging.tag_object(str(key("personalized_mastery_gate", "gate")), self.taxonomy, [])
        assert self.block("personalized_mastery_gate", "gate", ModuleStoreEnum.Branch.draft_preferred).skills == []
        # The next publish re-mirrors the block's skills: the removed tag does not come back.
        self.store.publish(check, self.user.id)
        assert self.tag_values("personalized_skill_check", "check") == ["Understand a fraction as parts of a whole"]
