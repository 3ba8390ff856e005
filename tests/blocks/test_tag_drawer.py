"""
Studio's tag drawer edits a block's skills (issue 29): the block's fields are the one source of truth,
and a framework tag an author removes in the drawer is taken out where the author chose that skill.
The drawer's own steps are run for real (openedx_tagging's ``tag_object``, then openedx-events'
``CONTENT_OBJECT_ASSOCIATIONS_CHANGED``, as the platform's content_tagging does), with the plugin's
Studio receivers connected as apps.py names them; the test's course stands in for Studio's modulestore.
"""

import pytest
from crum import impersonate
from django.contrib.auth import get_user_model
from django.utils.timezone import now
from openedx_events.content_authoring.data import ContentObjectChangedData
from openedx_events.content_authoring.signals import CONTENT_OBJECT_ASSOCIATIONS_CHANGED
from openedx_tagging.core.tagging import api as tagging

from personalized_path.openedx.skill_tags import PlatformSkillTags
from tests.builders import (ADD, BOARD_TILES, COMPARE, QUESTIONS, author_picks_two_skills, board_xml, framework_answers,
                            framework_unit)
from tests.harness import call, olx_round_trip, ok
from tests.plugin_signals import plugin_receivers

pytestmark = [pytest.mark.tagging, pytest.mark.django_db]


@pytest.fixture(name="unit")
def unit_with_the_framework(env):
    return framework_unit(env)


COMPARE_LABEL, ADD_LABEL = "Compare fractions", "Understand a fraction as parts of a whole"
TAG_RECEIVERS = ("note_removed_tag", "skills_after_tag_change")
TEST_COURSE = {}   # the test's course and the users its blocks were written as, as Studio's modulestore


def edit_in_test_course(object_id, change, user_id):
    """PERSONALIZED_PATH_AUTHORED_BLOCKS for these tests: the block from the test's course, saved when changed."""
    block = TEST_COURSE["env"].block(object_id, "staff", staff=True)
    if not change(block):
        return False
    block.save()
    TEST_COURSE["written_by"].append(user_id)
    return True


@pytest.fixture(name="drawer", autouse=True)
def studio_with_the_drawers_receivers(env, settings):
    """The plugin's Studio receivers of tag changes, connected as edx-django-utils does from apps.py."""
    settings.PERSONALIZED_PATH_AUTHORED_BLOCKS = f"{__name__}.edit_in_test_course"
    TEST_COURSE.update(env=env, written_by=[])
    with plugin_receivers("cms.djangoapp", TAG_RECEIVERS):
        yield
    TEST_COURSE.clear()


def drawer_sets(object_id, values):
    """What Studio's tag drawer does on save (content_tagging's tag_object): the object's tags, then the event."""
    taxonomy = PlatformSkillTags("").taxonomies()[0]
    tagging.tag_object(object_id, taxonomy, values)
    CONTENT_OBJECT_ASSOCIATIONS_CHANGED.send_event(
        time=now(), content_object=ContentObjectChangedData(object_id=object_id, changes=["tags"]))


def test_a_tag_removed_in_the_drawer_leaves_the_checks_questions_and_the_learners_evidence_stays(env, unit):
    author_picks_two_skills(env, unit)
    ok(env.block(unit["check"], "ada"), "submit", framework_answers("right", "wrong"))
    author = get_user_model().objects.create(username="author")
    with impersonate(author):
        drawer_sets(unit["check"], [ADD_LABEL])
    check = env.block(unit["check"], "staff", staff=True)
    assert check.skills_used() == [ADD]
    assert [question.get("skill") for question in check.questions] == [ADD] * 6 + [None] * 6
    assert [question["prompt"] for question in check.questions] == [item["prompt"] for item in QUESTIONS]
    assert TEST_COURSE["written_by"] == [author.id]
    # The questions left without a skill are named by the block's validation, as a question with none is.
    problems = " ".join(message.text for message in check.validate().messages)
    assert "questions[6].skill" in problems and "questions[5]" not in problems
    # The learner's answers stay stored under the skill's slug.
    results = env.block(unit["check"], "ada").learner_state["attempts"][-1]["results"]
    assert sum(result["skill"] == COMPARE for result in results) == 6
    assert PlatformSkillTags("").block_skills(unit["check"]) == [ADD]   # the drawer's change stands
    original, copy = olx_round_trip(env, unit["check"])
    assert copy.questions == original.questions
    # The author picks another skill for those questions in the editor: the check is whole again.
    status, data = call(check, "submit_studio_edits", {"values": {"questions": [
        dict(question, skill=question.get("skill", ADD)) for question in check.questions]}})
    assert status == 200, data
    assert not env.block(unit["check"], "staff", staff=True).validate().messages


def test_a_tag_removed_from_a_gate_takes_its_condition_away(env, unit):
    author_picks_two_skills(env, unit)
    drawer_sets(unit["gate"], [])
    gate = env.block(unit["gate"], "staff", staff=True)
    assert gate.skills == [] and gate.skills_used() == []
    assert TEST_COURSE["written_by"] == [None]   # outside a request: no author known
    original, copy = olx_round_trip(env, unit["gate"])
    assert copy.skills == original.skills == []


def test_a_tag_added_in_the_drawer_is_only_a_tag_and_untagged_skills_stay(env, unit):
    # Statements written without our editor (an import): their skills were never mirrored as tags.
    usage = env.load(f"""<personalized_self_assessment display_name="Me" statements='[
        {{"id": "s1", "text": "I compare fractions", "skill": "{COMPARE}"}},
        {{"id": "s2", "text": "I add fractions", "skill": "{ADD}"}}]'/>""")
    before = env.block(usage).statements
    drawer_sets(usage, ["Fractions"])
    assert env.block(usage).statements == before
    drawer_sets(usage, [COMPARE_LABEL])
    drawer_sets(usage, [])
    assert [statement.get("skill") for statement in env.block(usage).statements] == [None, ADD]
    assert TEST_COURSE["written_by"] == [None]


@pytest.mark.usefixtures("unit")   # the framework imported
def test_a_tag_removed_from_a_choice_board_leaves_its_tiles_skill_lists(env):
    tiles = [dict(tile, skills=[COMPARE, ADD] if tile["skills"] else []) for tile in BOARD_TILES]
    usage = env.load(board_xml(tiles))
    drawer_sets(usage, [COMPARE_LABEL, ADD_LABEL])
    drawer_sets(usage, [ADD_LABEL])
    board = env.block(usage)
    assert [tile["skills"] for tile in board.tiles] == [[ADD], [ADD], [ADD], []]
    assert [tile["title"] for tile in board.tiles] == [tile["title"] for tile in BOARD_TILES]
    assert not board.validate().messages   # a tile may name no skill
