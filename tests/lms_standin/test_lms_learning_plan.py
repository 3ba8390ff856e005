"""
LMS tier: the learning plan in a unit of its own reads every block of the course because it declares
them (their learner state is preloaded as the LMS does it), and finds them by walking the course.
"""
import pytest

from tests.harness import unisolated
from tests.lms_standin.course import PLACES


def test_the_plan_walks_the_course_tree_to_find_its_blocks(lms_course):
    plan = lms_course.content(lms_course.at("plan"))
    plan.sources = []
    found = plan.course_blocks(("personalized_self_assessment", "personalized_skill_check",
                                "personalized_choice_board", "personalized_goal_reflection",
                                "personalized_mastery_gate"))
    assert found == [str(lms_course.at(name)) for name in ("assessment", "check", "board", "recheck", "goals", "gate")]


def test_the_walk_and_the_reads_of_the_blocks_found_bind_none_of_them(lms_course):
    """
    The LMS binds a block, checking access up its ancestors, on every ``get_block``: the walk reads the
    course's structure from the blocks as authored, and the plan reads the blocks it finds for the
    learner's state in them (the linked view), after the platform's load check on each, binding none.
    """
    plan = lms_course.block(lms_course.at("plan"), "learner")
    plan.sources = []
    lms_course.bindings.clear()
    sources = plan.source_blocks()
    assert [source.key for source, _block in sources] == [
        str(lms_course.at(name)) for name in ("assessment", "check", "board", "recheck", "goals", "gate")]
    assert not lms_course.bindings


@pytest.mark.parametrize("listed", [True, False], ids=["sources listed", "sources found by the walk"])
def test_the_plans_view_binds_none_of_its_sources_and_reads_their_state_as_preloaded(lms_course, settings, listed):
    """
    The plan's view reads every source's learner state from what the LMS preloaded for the request (the
    plan declares its sources, listed or found), binding none of them again; the same page as when
    each is bound through ``runtime.get_block``.
    """
    if not listed:
        content = lms_course.content(lms_course.at("plan"))
        content.sources = []
        content.save()
    lms_course.rate(3)
    lms_course.answer("b")
    lms_course.ok("board", "choose", {"tiles": ["read"]})
    lms_course.render(lms_course.unit_of("gate"))  # the gate's first view stores when the learner reached it
    names = ("assessment", "check", "board", "goals", "gate") + (() if listed else ("recheck",))
    sources = {lms_course.at(name) for name in names}
    assert sources <= set(lms_course.preloaded(lms_course.unit_of("plan")))
    lms_course.bindings.clear()
    html = lms_course.render(lms_course.unit_of("plan"))
    assert not sources & set(lms_course.bindings)
    assert "You rate yourself higher than your results so far." in html
    assert "Read the chapter: to do" in unisolated(html)
    settings.PERSONALIZED_PATH_SHOWN_CHECK = ""  # no check of what a learner may see: each source bound
    lms_course.bindings.clear()
    assert lms_course.render(lms_course.unit_of("plan")) == html
    assert sources <= set(lms_course.bindings)


def test_the_plan_reads_blocks_in_other_units_for_the_learner(lms_course):
    assert all(PLACES[name] != PLACES["plan"] for name in ("assessment", "check", "board", "goals", "gate"))
    lms_course.rate(3)
    lms_course.answer("b")
    lms_course.ok("board", "choose", {"tiles": ["read"]})
    html = lms_course.render(lms_course.unit_of("plan"))
    assert "You rate yourself higher than your results so far." in html
    html = unisolated(html)
    assert "Read the chapter: to do" in html and "Fractions lesson" in html
    plan = lms_course.block(lms_course.at("plan"), "learner").learner_plan()
    assert plan["skills"][0]["self_percent"] == 100.0 and plan["skills"][0]["measured"] == 0.0
    assert plan["gates"][0]["unlocked"] is False and plan["next_steps"]


def test_the_class_view_says_when_the_platform_has_no_user_state_client(lms_course):
    """The stand-in is not the LMS: without the LMS's client the class view says so and stays up."""
    status, data = lms_course.call(lms_course.at("plan"), "class_grid", {}, user="staff_1", staff=True)
    assert status == 200 and "user-state client is not available" in data["html"]
    html = lms_course.render(lms_course.at("plan"), user="staff_1", staff=True)
    assert "user-state client is not available" in html


def test_a_board_in_another_unit_suggests_from_the_interests_saved_in_the_plan(lms_course):
    """The plan declares the board (preloaded for the plan), so the board cannot declare the plan back:
    it reads the plan's stored interests through the platform's user_state service instead."""
    assert PLACES["board"] != PLACES["plan"]
    lms_course.ok("plan", "save_interests", {"interests": ["music"]})
    html = lms_course.render(lms_course.unit_of("board"))
    assert "It is about Music, one of your interests." in html
    assert lms_course.block(lms_course.at("board"), "other").linked_interests() == []
