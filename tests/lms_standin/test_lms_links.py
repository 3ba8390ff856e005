"""
LMS tier: every cross-block link works across units when learner state is preloaded the way the
LMS does it (the requested block's subtree plus declared required blocks; see tests/README.md).
"""
import pytest

from personalized_path.links import STATE
from personalized_path.mastery_gate import MasteryGateBlock
from personalized_path.openedx.linked import learner_view
from tests.harness import unisolated
from tests.lms_standin.course import LOCKED, PLACES
from tests.lms_standin.standin import StandInCourse


LINKS = {  # block: the blocks whose learner state it reads
    "gate": {"check", "assessment", "board", "goals", "recheck"},
    "board": {"assessment"},
    "goals": {"assessment", "check"},
    "recheck": {"check"},
    "plan": {"assessment", "check", "board", "goals", "gate"},
}


def conditions(course, user="learner"):
    """Each of the gate's conditions, met or not, as a request for the gate evaluates them."""
    gate = course.block(course.at("gate"), user)
    return {result.condition.kind: result.met for result in gate.evaluate().results}


@pytest.mark.parametrize("name", sorted(LINKS))
def test_each_block_declares_what_it_reads(lms_course, name):
    required = {block.scope_ids.usage_id for block in lms_course.content(lms_course.at(name))
                .get_required_block_descriptors()}
    assert {lms_course.at(linked) for linked in LINKS[name]} <= required
    # The unit render preloads them although every one of them sits in another unit.
    preloaded = set(lms_course.preloaded(lms_course.unit_of(name)))
    assert all(lms_course.unit_of(linked) != lms_course.unit_of(name) for linked in LINKS[name])
    assert {lms_course.at(linked) for linked in LINKS[name]} <= preloaded


@pytest.mark.parametrize("name", sorted(LINKS))
def test_declared_blocks_are_handed_to_the_lms_as_authored_without_binding_them(lms_course, name):
    """What the LMS asks for while it loads learner state are blocks as authored (the platform's
    "descriptors"), loaded without binding each for the learner (and checking access up its ancestors)."""
    block = lms_course.block(lms_course.at(name))
    lms_course.bindings.clear()
    required = block.get_required_block_descriptors()
    assert {lms_course.at(linked) for linked in LINKS[name]} <= {found.scope_ids.usage_id for found in required}
    assert all(found.scope_ids.user_id is None for found in required)
    assert not lms_course.bindings


def test_gate_in_week_2_unlocks_from_sources_in_other_units(lms_course):
    assert not any(conditions(lms_course).values())
    lms_course.answer("a")  # unit 1: the skill check, 1/1
    assert conditions(lms_course) == {"score": True, "skill": True, "self_assessment": False,
                                      "choice_board": False, "goals": False}
    lms_course.rate(2)  # unit 1: the self-assessment
    lms_course.finish_board()  # unit 2
    assert LOCKED not in lms_course.render(lms_course.at("unit4"))
    lms_course.set_goals()  # unit 3
    assert all(conditions(lms_course).values())
    assert LOCKED in lms_course.render(lms_course.at("unit4"))
    status, answer = lms_course.call(lms_course.at("gate"), "check_again", {})
    assert status == 200 and answer["unlocked"] and LOCKED in answer["html"]
    # Another learner's state is not this learner's.
    assert LOCKED not in lms_course.render(lms_course.at("unit4"), user="other")


def test_gate_lock_card_shows_the_score_read_from_another_unit(lms_course):
    lms_course.answer("b")
    status, answer = lms_course.call(lms_course.at("gate"), "check_again", {})
    assert status == 200 and not answer["unlocked"]
    assert "No attempts yet" not in answer["parts"]["lock"] and "Fractions check" in answer["parts"]["lock"]
    assert conditions(lms_course)["score"] is False
    lms_course.answer("a")
    assert conditions(lms_course)["score"] is True


def test_choice_board_suggests_from_a_self_assessment_in_another_unit(lms_course):
    assert "Suggested for you" not in lms_course.render(lms_course.at("unit2"))
    lms_course.rate(1)
    html = lms_course.render(lms_course.at("unit2"))
    assert "Suggested for you" in html and "I can add fractions" in html


def test_goal_reflection_recalls_blocks_in_other_units(lms_course):
    lms_course.rate(2)
    lms_course.answer("a")
    html = lms_course.render(lms_course.at("unit3"))
    assert "I can add fractions — With help" in unisolated(html)
    assert "fractions" in html and "Fractions lesson: not unlocked yet." in unisolated(html)
    lms_course.finish_board()
    lms_course.set_goals()
    html = lms_course.render(lms_course.at("unit3"))
    assert "Fractions lesson: you have shown the mastery it asks for." in unisolated(html)


def test_gate_and_goal_reflection_naming_each_other_do_not_loop(lms_course):
    """The standard course links the gate to the goal reflection and back: the preload walk ends."""
    assert lms_course.content(lms_course.at("goals")).mastery_gate == lms_course.at("gate")
    assert lms_course.content(lms_course.at("gate")).goal_reflection == lms_course.at("goals")
    walked = lms_course.preloaded(lms_course.root)
    assert lms_course.at("gate") in walked and lms_course.at("goals") in walked


def test_undeclared_state_reads_as_empty(lms_course, monkeypatch):
    """The stand-in's point: without the declaration the gate in unit 4 cannot see unit 1."""
    lms_course.answer("a")
    monkeypatch.setattr(MasteryGateBlock, "get_required_block_descriptors", lambda self: [])
    assert conditions(lms_course)["score"] is False
    assert lms_course.at("check") not in lms_course.preloaded(lms_course.at("unit4"))


def test_missing_and_deleted_references_are_tolerated():
    course = StandInCourse()
    gone = course.key("personalized_skill_check", "deleted")
    elsewhere = "block-v1:OtherX+Other+2020+type@problem+block@p1"
    course.load(f"""<course url_name="{course.course_key.run}"><chapter url_name="c"><sequential url_name="s">
      <vertical url_name="u">
        <personalized_mastery_gate url_name="gate" sources='["{gone}", "{elsewhere}"]' skill_checks='["{gone}"]'
          skills='[{{"skill": "fractions", "threshold": 50}}]' choice_board='"{gone}"'
          goal_reflection='"{elsewhere}"'><html_demo><p>{LOCKED}</p></html_demo></personalized_mastery_gate>
        <personalized_choice_board url_name="board" self_assessment='"{gone}"'/>
        <personalized_goal_reflection url_name="goals" self_assessment='"{gone}"' skill_check='"{elsewhere}"'
          mastery_gate='"{gone}"'/>
      </vertical></sequential></chapter></course>""")
    unit = course.key("vertical", "u")
    assert set(course.preloaded(unit)) == {unit} | {course.key(kind, name) for kind, name in (
        ("personalized_mastery_gate", "gate"), ("personalized_choice_board", "board"),
        ("personalized_goal_reflection", "goals"))} | {
        key for key in course.preloaded(unit) if key.block_type == "html_demo"}
    html = course.render(unit)
    assert LOCKED not in html and "missing from the course" in html


def test_recheck_counts_answers_from_a_skill_check_in_another_unit(lms_course):
    assert lms_course.block(lms_course.at("recheck")).recall_by_skill() == {}
    lms_course.answer("a")
    recall = lms_course.block(lms_course.at("recheck")).recall_by_skill()
    assert 0 < recall["fractions"] <= 1


def test_skill_checks_rechecking_each_other_do_not_loop():
    course = StandInCourse()
    first, second = (course.key("personalized_skill_check", name) for name in ("first", "second"))
    course.load(f"""<course url_name="{course.course_key.run}"><chapter url_name="c"><sequential url_name="s">
      <vertical url_name="u1"><personalized_skill_check url_name="first" recheck_sources='["{second}"]'/></vertical>
      <vertical url_name="u2"><personalized_skill_check url_name="second" recheck_sources='["{first}"]'/></vertical>
      </sequential></chapter></course>""")
    for unit in ("u1", "u2"):
        assert course.preloaded(course.key("vertical", unit))
    assert len(course.preloaded(course.root)) == 7  # course, chapter, sequential, two units, two checks


def rendered_with_bindings(course, name):
    """The HTML of ``name``'s unit for the learner, and the blocks that request bound (LMS: access-checked)."""
    course.bindings.clear()
    html = course.render(course.unit_of(name))
    return html, set(course.bindings)


@pytest.mark.parametrize("name", ["gate", "board", "goals", "recheck"])
def test_linked_state_is_read_without_binding_the_linked_blocks_again(lms_course, settings, name):
    """
    The LMS binds a block again, with an access check on it and its ancestors, on every
    ``runtime.get_block``. Blocks read the learner's state in linked blocks of ours through the
    plugin's view instead (openedx/linked.py, named by a setting the plugin adds to the LMS and the
    workbench alike), and see the same state.
    """
    lms_course.answer("a")
    lms_course.rate(2)
    lms_course.render(lms_course.unit_of(name))  # a gate's first view stores when the learner reached it
    html, bound = rendered_with_bindings(lms_course, name)
    elsewhere = {lms_course.at(other) for other in PLACES if PLACES[other] != PLACES[name]}
    assert not bound & elsewhere
    settings.PERSONALIZED_PATH_LINKED_VIEW = ""
    bound_html, bound = rendered_with_bindings(lms_course, name)
    assert {lms_course.at(linked) for linked in LINKS[name]} <= bound
    assert bound_html == html


def test_the_linked_view_needs_a_runtime_that_hands_out_blocks_as_authored(env):
    """Where the runtime has no ``load_item`` (the workbench), blocks load linked blocks through ``get_block``."""
    gate = env.block(env.load("<personalized_mastery_gate/>"))
    check = env.load("<personalized_skill_check/>")
    assert learner_view(gate, check) is None
    assert gate.linked(check, STATE).scope_ids.usage_id == check
