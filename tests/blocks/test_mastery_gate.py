"""Mastery gate block: locking, routing, bad sources, Studio validation, reports, events (TestRuntime)."""
import json
import logging
import math

from unittest.mock import patch

import pytest
from xblock.core import XBlock
from xblock.fields import Boolean, Dict, Float, Scope
from xblock.scorable import Score

from personalized_path.mastery_gate import RECHECKS_PER_WINDOW, MasteryGateBlock
from tests.builders import gate_problems, gate_xml
from tests.harness import call, field_snapshot, render

SENTINEL = "SENTINEL-7f3a-locked-content"
ROUTES = [{"id": "remedial", "label": "Review", "min": 0, "max": 60},
          {"id": "core", "label": "Practice", "min": 60, "max": 85},
          {"id": "advanced", "label": "Stretch", "min": 85, "max": 100}]


# --- stand-ins for blocks of the platform (registered only for these tests) --------------------

class ProblemLike(XBlock):
    """A scorable block the way Open edX problems expose scores: has_score + get_score()."""
    has_score = True
    earned = Float(default=None, scope=Scope.user_state)
    possible = Float(default=4.0, scope=Scope.settings)
    broken = Boolean(default=False, scope=Scope.settings)

    def has_submitted_answer(self):
        if self.broken:
            raise RuntimeError("boom")
        return self.earned is not None

    def get_score(self):
        return Score(self.earned, self.possible)

    def max_score(self):
        return self.possible

    def attempts_left(self):
        return 2


class SkillEvidence(XBlock):
    """What the gate needs from a skill check: per-skill chronological outcomes."""
    has_score = True
    evidence = Dict(default={}, scope=Scope.user_state)

    def skill_attempts(self):
        return self.evidence

    def skill_evidence(self):
        """The same outcomes dated, one a minute: the history the gate decides from."""
        return {skill: [(f"2026-01-01T10:{minute:02d}:00+00:00", outcome) for minute, outcome in enumerate(rows)]
                for skill, rows in self.evidence.items()}

    def get_score(self):
        return Score(0.0, 1.0)


class NoScore(XBlock):
    """Exists, but exposes nothing the gate can use."""


# Stand-ins for blocks that only run inside the LMS (Open edX problems expose has_score/get_score).
STAND_INS = {"test_problem": ProblemLike, "test_skill_evidence": SkillEvidence, "test_noscore": NoScore}


@pytest.fixture(autouse=True)
def stand_ins():
    """Make the stand-in block types loadable by tag for the duration of a test."""
    original = XBlock.load_class.__func__

    def load_class(cls, identifier, default=None, select=None):
        return STAND_INS.get(identifier) or original(cls, identifier, default, select)
    with patch.object(XBlock, "load_class", classmethod(load_class)):
        yield


SENTINEL_CHILDREN = f"""
  <html_demo><p>{SENTINEL} intro</p></html_demo>
  <personalized_self_assessment display_name="{SENTINEL} title" instructions="{SENTINEL} instructions"
     statements='[{{"id": "s1", "text": "I can {SENTINEL}", "skill": "fractions"}}]'/>
  <personalized_mastery_gate display_name="{SENTINEL} nested gate" lock_message="{SENTINEL} nested">
    <html_demo><p>{SENTINEL} nested child</p></html_demo>
  </personalized_mastery_gate>
"""


def set_score(env, usage, user, earned):
    block = env.block(usage, user)
    block.earned = earned
    block.save()


def render(env, usage, user="student_1", staff=False):
    block = env.block(usage, user, staff=staff)
    return block.runtime.render(block, "student_view").content


def evaluate(env, usage, user="student_1"):
    return env.block(usage, user).evaluate()


@pytest.fixture
def course(env):
    """A problem-like source and a gate (80%) over three children carrying the sentinel."""
    source = env.load("<test_problem/>")
    gate = env.load(gate_xml(SENTINEL_CHILDREN, sources=[source], threshold=80, display_name="Gate"))
    return source, gate


# --- locked means locked ------------------------------------------------------------------------

def handler_names():
    return sorted(name for name in dir(MasteryGateBlock)
                  if getattr(getattr(MasteryGateBlock, name, None), "_is_xblock_handler", False))


def everything_a_locked_learner_can_get(env, gate, user):
    """Every response a learner can obtain from the gate: views, mobile data, every handler."""
    block = env.block(gate, user)
    responses = [block.runtime.render(block, "student_view").content,
                 json.dumps(block.student_view_data()),
                 env.block(gate, user).runtime.render(env.block(gate, user), "author_view").content]
    payloads = [None, {}, {"score": 100}, {"unlocked": True}, {"route": "advanced"}, [], "x"]
    for name in handler_names():
        for payload in payloads:
            for method in ("GET", "POST"):
                body = b"" if payload is None else json.dumps(payload).encode()
                status, data = call(env.block(gate, user), name, method=method, body=body)
                responses.append(f"{name} {method} {status} {json.dumps(data)}")
    return responses


def test_sentinel_never_reaches_a_locked_learner(env, course):
    source, gate = course
    assert "check_again" in handler_names() and "student_view_user_state" in handler_names()
    set_score(env, source, "student_1", 3.0)  # 75% < 80%
    for response in everything_a_locked_learner_can_get(env, gate, "student_1"):
        assert SENTINEL not in response
    assert not env.block(gate).learner_state["unlocked"]
    # the same requests once the rule holds do show the children: the test can see the sentinel
    set_score(env, source, "student_1", 4.0)
    assert SENTINEL in render(env, gate)
    status, data = call(env.block(gate), "check_again", {})
    assert status == 200 and data["unlocked"] and SENTINEL in data["html"]


def test_scores_from_the_client_are_ignored(env, course):
    source, gate = course
    before = field_snapshot(env, gate)
    for payload in ({"score": 100}, {"unlocked": True}, {"values": {"x": 100}}):
        status, data = call(env.block(gate), "check_again", payload)
        assert status == 400 and "Unknown key" in data["error"]
    assert field_snapshot(env, gate) == before
    for body in (b"{", b"[]", b'{"a": NaN}', b"", "{}".encode() * 3):
        assert call(env.block(gate), "check_again", body=body)[0] == 400
    assert call(env.block(gate), "check_again", method="GET")[0] == 405
    assert field_snapshot(env, gate) == before


def test_lock_card_shows_required_current_and_attempts(env, course):
    source, gate = course
    html = render(env, gate)
    assert "Locked for now" in html and "Not attempted yet" in html and "80%" in html
    assert "Check again" in html and 'class="pp-gate-attempts">2<' in html
    set_score(env, source, "student_1", 3.0)
    html = render(env, gate)
    assert ">75%<" in html and "try it again" in html


def test_check_again_unlocks_with_children_resources(env, course):
    source, gate = course
    status, data = call(env.block(gate), "check_again", {})
    assert status == 200 and data["unlocked"] is False and "resources" not in data
    # Still locked: only the lock card changes, and no child is in it.
    assert list(data["parts"]) == ["lock"] and "html" not in data and "Locked for now" in data["parts"]["lock"]
    assert 'data-part="lock"' in data["parts"]["lock"] and SENTINEL not in data["parts"]["lock"]
    set_score(env, source, "student_1", 4.0)
    status, data = call(env.block(gate), "check_again", {})
    assert status == 200 and data["unlocked"] is True
    urls = [resource["data"] for resource in data["resources"]]
    assert "/resource/personalized_self_assessment/static/js/self_assessment.js" in urls
    assert env.block(gate).learner_state["unlocked"] is True
    assert [event["data"]["unlocked"] for event in env.events_named(".checked")] == [False, True]
    assert len(env.events_named("mastery_gate.unlocked")) == 1
    render(env, gate)
    assert len(env.events_named("mastery_gate.unlocked")) == 1  # published once


def test_learners_do_not_share_unlocking(env, course):
    source, gate = course
    set_score(env, source, "student_1", 4.0)
    assert SENTINEL in render(env, gate, "student_1")
    assert SENTINEL not in render(env, gate, "student_2")


def test_staff_see_every_child_with_the_rule(env, course):
    _, gate = course
    html = render(env, gate, "staff_1", staff=True)
    assert "Course staff view" in html and "Score at least 80%" in html and html.count(SENTINEL) >= 4
    status, data = call(env.block(gate, "staff_1", staff=True), "check_again", {})
    assert status == 200 and SENTINEL in data["html"]


def test_student_view_data_is_config_only_and_the_same_for_everyone(env, course):
    source, gate = course
    set_score(env, source, "student_1", 4.0)
    render(env, gate, "student_1")
    first = env.block(gate, "student_1").student_view_data()
    assert first == env.block(gate, "student_2").student_view_data()
    assert first["sources"] == [source] and first["threshold"] == 80 and SENTINEL not in json.dumps(first)


# --- routing ------------------------------------------------------------------------------------

def test_three_learners_three_routes(env):
    source = env.load("<test_problem possible='100'/>")
    children = """<html_demo><p>everyone-part</p></html_demo><html_demo><p>remedial-part</p></html_demo>
                  <html_demo><p>core-part</p></html_demo><html_demo><p>advanced-part</p></html_demo>"""
    gate = env.load(gate_xml(children, sources=[source], threshold=0, routes=ROUTES))
    keys = env.block(gate).children
    block = env.block(gate)
    block.child_routes = {keys[1]: "remedial", keys[2]: "core", keys[3]: "advanced"}
    block.save()
    for user, earned, route in (("low", 40, "remedial"), ("mid", 70, "core"), ("high", 90, "advanced")):
        set_score(env, source, user, earned)
        html = render(env, gate, user)
        assert "everyone-part" in html and f"{route}-part" in html
        assert sum(f"{other}-part" in html for other in ("remedial", "core", "advanced")) == 1
        assert f'data-route="{route}"' in html
        assert env.block(gate, user).learner_state["route"] == route
    assert "remedial-part" not in render(env, gate, "nobody")  # not attempted: locked, no route
    assert env.block(gate, "mid").evaluate().route["id"] == "core" and env.block(gate, "mid").is_unlocked()
    assert env.block(gate, "nobody").evaluate().route is None and not env.block(gate, "nobody").is_unlocked()


def test_route_change_is_published(env):
    source = env.load("<test_problem possible='100'/>")
    gate = env.load(gate_xml("<html_demo><p>x</p></html_demo>", sources=[source], threshold=0, routes=ROUTES))
    set_score(env, source, "student_1", 10)
    render(env, gate)
    set_score(env, source, "student_1", 95)
    render(env, gate)
    assert [event["data"] for event in env.events_named(".routed")] == [{"route": "advanced", "previous": "remedial"}]


def test_any_mode_and_per_source_thresholds(env):
    first, second = env.load("<test_problem/>"), env.load("<test_problem/>")
    gate = env.load(gate_xml("<html_demo><p>OPEN-CONTENT</p></html_demo>", sources=[first, second],
                             source_thresholds=[100, 50], mode="any"))
    set_score(env, second, "student_1", 2.0)
    set_score(env, second, "student_2", 2.0)
    assert "OPEN-CONTENT" in render(env, gate)
    block = env.block(gate)
    block.mode = "all"
    block.save()
    assert "OPEN-CONTENT" not in render(env, gate, "student_2")  # the new rule for who had not unlocked
    assert "OPEN-CONTENT" in render(env, gate)  # unlocks stick
    block = env.block(gate)
    block.unlock_round += 1  # what "re-evaluate everyone" does
    block.save()
    assert "OPEN-CONTENT" not in render(env, gate)


# --- sources that cannot be read -----------------------------------------------------------------

def test_missing_unscorable_broken_and_nan_sources_are_not_met(env, caplog):
    broken = env.load("<test_problem broken='true'/>")
    nan = env.load("<test_problem/>")
    noscore = env.load("<test_noscore/>")
    gate = env.load(gate_xml(f"<html_demo><p>{SENTINEL}</p></html_demo>",
                             sources=["does-not-exist", broken, nan, noscore], mode="any", threshold=0))
    for earned in (math.nan, 9.0, -1.0, math.inf):
        set_score(env, nan, "student_1", earned)
        with caplog.at_level(logging.WARNING):
            html = render(env, gate)
        assert SENTINEL not in html
        assert html.count("counts as not met") == 4
    assert "ignoring unusable score" in caplog.text and "cannot load linked block" in caplog.text
    status, data = call(env.block(gate), "check_again", {})
    assert status == 200 and data["unlocked"] is False


def test_deleted_source_counts_as_not_met(env):
    source = env.load("<test_problem/>")
    gate = env.load(gate_xml("<html_demo><p>x</p></html_demo>", sources=[source]))
    set_score(env, source, "student_1", 4.0)
    assert 'data-state="unlocked"' in render(env, gate)
    env.ids._usages.pop(source)  # pylint: disable=protected-access  (the source is deleted from the course)
    assert 'data-state="unlocked"' in render(env, gate)  # an unlock sticks
    html = render(env, gate, "student_2")
    assert 'data-state="locked"' in html and "missing from the course" in html


def test_garbled_learner_state_renders(env, course):
    _, gate = course
    block = env.block(gate)
    block.learner_state = {"version": 1, "unlocked": "yes"}
    block.save()
    assert "Locked for now" in render(env, gate)
    assert env.block(gate).learner_state["unlocked"] is False


# --- skills and other conditions --------------------------------------------------------------------

def test_skill_mastery_from_skill_checks(env):
    check = env.load("<test_skill_evidence/>")
    gate = env.load(gate_xml("<html_demo><p>OPEN-CONTENT</p></html_demo>", skill_checks=[check],
                             skills=[{"skill": "fractions", "threshold": 80}], estimator="n_of_m",
                             estimator_params={"n": 2, "m": 3}))
    html = render(env, gate)
    assert "Reach at least 80% mastery of the skill “fractions”" in html and "2 correct answers" in html
    block = env.block(check)
    block.evidence = {"fractions": [1.0, 0.0]}
    block.save()
    assert ">50%<" in render(env, gate)
    block = env.block(check)
    block.evidence = {"fractions": [1.0, 0.0, 1.0]}
    block.save()
    assert "OPEN-CONTENT" in render(env, gate)


def test_garbled_skill_evidence_is_ignored(env, caplog):
    check = env.load("<test_skill_evidence/>")
    gate = env.load(gate_xml("<html_demo><p>OPEN-CONTENT</p></html_demo>", skill_checks=[check],
                             skills=[{"skill": "fractions", "threshold": 0}]))
    block = env.block(check)
    block.evidence = {"fractions": [1.0, 7.0]}
    block.save()
    with caplog.at_level(logging.WARNING):
        html = render(env, gate)
    assert "OPEN-CONTENT" not in html and "could not be read" in html and "unusable evidence" in caplog.text


def test_self_assessment_and_board_conditions(env):
    statements = '[{"id": "s1", "text": "I can add", "skill": "fractions"}]'
    tiles = '[{"id": "one", "title": "One", "format": "other", "points": 5, "tier": "may"}]'
    assessment = env.load(f"<personalized_self_assessment statements='{statements}'/>")
    board = env.load(f"<personalized_choice_board rule='k_of_n' choose_count='1' tiles='{tiles}'/>")
    gate = env.load(gate_xml("<html_demo><p>OPEN-CONTENT</p></html_demo>", self_assessment=assessment,
                             self_assessment_skill="fractions", self_assessment_level=3, choice_board=board))
    html = render(env, gate)
    assert "Not rated yet" in html and "Not done yet" in html
    assert call(env.block(assessment), "submit", {"ratings": {"s1": 3}})[0] == 200
    steps = (("choose", {"tiles": ["one"]}), ("commit", {}), ("mark_done", {"tile": "one", "note": "ok"}))
    for handler, payload in steps:
        assert call(env.block(board), handler, payload)[0] == 200
    assert "OPEN-CONTENT" in render(env, gate)


def test_condition_on_a_block_without_the_method(env):
    other = env.load("<test_noscore/>")
    gate = env.load(gate_xml("<html_demo><p>OPEN-CONTENT</p></html_demo>", goal_reflection=other))
    html = render(env, gate)
    assert "cannot be checked here yet" in html and "OPEN-CONTENT" not in html


# --- Studio ----------------------------------------------------------------------------------------

def test_studio_validation(env):
    source, check = env.load("<test_problem/>"), env.load("<test_skill_evidence/>")
    noscore = env.load("<test_noscore/>")
    gate = env.load(gate_xml("<test_problem/><html_demo><p>x</p></html_demo>", sources=[source]))
    inner = env.block(gate).children[0]
    assert gate_problems(env, gate) == []
    assert gate_problems(env, gate, routes=ROUTES, child_routes={env.block(gate).children[1]: "core"}) == []
    cases = {
        "overlap": {"routes": [dict(ROUTES[0], max=70), ROUTES[1], ROUTES[2]]},
        "gap from 50 to 60": {"routes": [dict(ROUTES[0], max=50), ROUTES[1], ROUTES[2]]},
        "outside": {"threshold": 120.0},
        "does not exist": {"sources": [source, "nope"]},
        "inside this gate": {"sources": [inner]},
        "has no score": {"sources": [noscore]},
        "not a skill check": {"skill_checks": [source], "skills": [{"skill": "a", "threshold": 50}]},
        "need at least one skill check": {"skills": [{"skill": "a", "threshold": 50}]},
        "not a child": {"routes": ROUTES, "child_routes": {"ghost": "core"}},
        "no parameter": {"estimator_params": {"bogus": 1}},
        "Unknown estimator": {"estimator": "magic"},
        "one threshold per source": {"source_thresholds": [50, 60]},
        "at least one source": {"sources": []},
        "all or any": {"mode": "most"},
        "Name the skill": {"self_assessment": check, "self_assessment_skill": ""},
    }
    for fragment, changes in cases.items():
        found = gate_problems(env, gate, **changes)
        assert any(fragment in text for text in found), (fragment, found)
    assert gate_problems(env, gate, skill_checks=[check], skills=[{"skill": "a", "threshold": 95}],
                         estimator="bkt") == []


def test_studio_editor_renders_and_author_views(env, course):
    _, gate = course
    block = env.block(gate, "staff_1", staff=True)
    studio = block.runtime.render(block, "studio_view").content
    assert "sources" in studio and "child_routes" in studio
    assert SENTINEL in block.runtime.render(block, "author_view").content
    assert [spec.category for spec in block.get_nested_blocks_spec()][:3] == ["html", "problem", "video"]


# --- reports -----------------------------------------------------------------------------------------

class UserState:  # what the LMS's user_state_iterator yields
    def __init__(self, username, state):
        self.username, self.state = username, state


def test_report_rows(env):
    source = env.load("<test_problem possible='100'/>")
    gate = env.load(gate_xml("<html_demo><p>x</p></html_demo>", sources=[source], threshold=50, routes=ROUTES))
    set_score(env, source, "ana", 90)
    set_score(env, source, "ben", 20)
    render(env, gate, "ana")
    render(env, gate, "ben")
    states = [UserState(user, {"learner_state": env.block(gate, user).learner_state}) for user in ("ana", "ben")]
    states.append(UserState("garbled", {"learner_state": "nonsense"}))
    rows = list(env.block(gate, "staff_1", staff=True).generate_report_data(iter(states)))
    key = f"score:{source}"
    assert rows[0][0] == "ana" and rows[0][1][key] == "90.0" and rows[0][1]["status"] == "unlocked"
    assert rows[0][1]["route"] == "Stretch"
    assert rows[1][1] == dict(rows[1][1], status="locked", route="", **{key: "20.0"})
    assert rows[2][1]["status"] == "locked" and rows[2][1][key] == ""
    assert len(list(env.block(gate).generate_report_data(iter(states), limit_responses=1))) == 1


def test_student_view_user_state_is_the_learners_own_snapshot(env, course):
    source, gate = course
    set_score(env, source, "student_1", 3.0)
    render(env, gate)
    status, data = call(env.block(gate), "student_view_user_state", method="GET")
    assert status == 200 and data["learner_state"]["values"] == {f"score:{source}": 75.0}
    assert SENTINEL not in json.dumps(data)


def test_too_many_sources_is_refused(env):
    gate = env.load(gate_xml("<html_demo><p>x</p></html_demo>", sources=["a"]))
    assert any("At most 250" in text for text in gate_problems(env, gate, sources=[f"s{i}" for i in range(251)]))


# --- with the real skill check ---------------------------------------------------------------------

CHECK_QUESTIONS = [
    {"id": "q1", "prompt": "1/2 + 1/4?", "kind": "single", "skill": "fractions",
     "choices": [{"id": "a", "text": "3/4"}, {"id": "b", "text": "2/6"}], "correct": ["a"]},
    {"id": "q2", "prompt": "Same as 1/2?", "kind": "multiple", "skill": "reasoning",
     "choices": [{"id": "a", "text": "2/4"}, {"id": "b", "text": "2/3"}, {"id": "c", "text": "3/6"}],
     "correct": ["a", "c"]},
]


def test_real_skill_check_as_score_source_and_skill_evidence(env):
    check = env.load(f"<personalized_skill_check attempts_allowed='3' questions='{json.dumps(CHECK_QUESTIONS)}'/>")
    gate = env.load(gate_xml(f"<html_demo><p>{SENTINEL}</p></html_demo>", sources=[check], threshold=100,
                             skill_checks=[check], skills=[{"skill": "fractions", "threshold": 95}], estimator="bkt"))
    assert gate_problems(env, gate) == []
    html = render(env, gate)
    assert "Score at least 100% on “Skill check”" in html and 'class="pp-gate-attempts">3<' in html
    assert call(env.block(check), "submit", {"answers": {"q1": ["a"], "q2": ["a"]}})[0] == 200
    html = render(env, gate)
    assert ">50%<" in html and 'class="pp-gate-attempts">2<' in html and SENTINEL not in html
    values = env.block(gate).learner_state["values"]
    assert values[f"score:{check}"] == 50.0 and 0 < values["skill:fractions"] < 95
    assert call(env.block(check), "submit", {"answers": {"q1": ["a"], "q2": ["a", "c"]}})[0] == 200
    # BKT after two correct answers on "fractions" is still below 95%: locked despite a full score.
    assert SENTINEL not in render(env, gate)
    block = env.block(gate)
    block.skills = [{"skill": "fractions", "threshold": 60}]
    block.estimator_params = {"min_right": 0}  # two right answers are below the default minimum of evidence
    block.save()
    status, data = call(env.block(gate), "check_again", {})
    assert status == 200 and data["unlocked"] and SENTINEL in data["html"]


def test_garbled_settings_from_olx_never_500(env):
    source = env.load("<test_problem possible='100'/>")
    gate = env.load(gate_xml("<html_demo><p>OPEN-CONTENT</p></html_demo>", sources=[source], routes=[{"id": 1}],
                             child_routes={"ghost": "nowhere"}, skills=[{"skill": "a", "threshold": "x"}],
                             skill_checks=[source],
                             estimator_params={"weight": "x"}, source_thresholds=["high"]))
    set_score(env, source, "student_1", 100)
    html = render(env, gate)
    assert 'data-state="locked"' in html  # the unreadable skill threshold is never met
    assert call(env.block(gate), "check_again", {})[0] == 200
    assert gate_problems(env, gate)
    block = env.block(gate)
    block.skills = []
    block.save()
    assert "OPEN-CONTENT" in render(env, gate)  # routing is off while the routes are invalid


def test_check_again_publishes_only_when_something_changed(env, course):
    source, gate = course
    render(env, gate)  # the view stores the first evaluation
    for _ in range(3):
        assert call(env.block(gate), "check_again", {})[0] == 200
    assert env.events_named(".checked") == []
    evaluated = env.block(gate).learner_state["evaluated_at"]
    set_score(env, source, "student_1", 3.0)  # a higher score, still locked
    assert call(env.block(gate), "check_again", {})[0] == 200
    assert call(env.block(gate), "check_again", {})[0] == 200
    assert [event["data"]["unlocked"] for event in env.events_named(".checked")] == [False]
    assert env.block(gate).learner_state["evaluated_at"] >= evaluated


def test_check_again_is_bounded_per_learner(env, course):
    source, gate = course
    for _ in range(RECHECKS_PER_WINDOW):
        assert call(env.block(gate), "check_again", {})[0] == 200
    set_score(env, source, "student_1", 4.0)
    before = env.block(gate).learner_state
    status, data = call(env.block(gate), "check_again", {})
    assert status == 429 and "Wait a minute" in data["error"]
    assert env.block(gate).learner_state == before  # not evaluated: the new score is not seen yet
    assert call(env.block(gate, "student_2"), "check_again", {})[0] == 200  # another learner has their own
    env.cache.clear()  # the minute is over
    status, data = call(env.block(gate), "check_again", {})
    assert status == 200 and data["unlocked"] is True
