"""Mastery gate core: the ALL/ANY rule, readings, score-range routing and the author's settings."""
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from personalized_path.core import gate as core
from personalized_path.core import gate_access
from personalized_path.core.payload import PayloadError

ROUTES = [{"id": "remedial", "label": "Review", "min": 0, "max": 60},
          {"id": "core", "label": "Practice", "min": 60, "max": 85},
          {"id": "advanced", "label": "Stretch", "min": 85, "max": 100}]


def score(key, threshold, value, problem=None):
    condition = core.Condition(core.SCORE, key, threshold)
    reading = core.Reading(value=value, problem=problem)
    return core.Result(condition, reading, core.is_met(condition, reading))


def messages(problems):
    return [problem.render() for problem in problems]


# --- rule ----------------------------------------------------------------------------------

def test_all_needs_every_condition_and_any_needs_one():
    results = [score("a", 80, 90.0), score("b", 80, 70.0)]
    assert not core.evaluate("all", results).unlocked
    assert core.evaluate("any", results).unlocked
    assert core.evaluate("all", [score("a", 80, 80.0)]).unlocked  # reaching the threshold is enough


def test_no_conditions_stays_locked():
    assert not core.evaluate("all", []).unlocked
    assert not core.evaluate("any", []).unlocked


def test_missing_or_unreadable_values_are_not_met():
    assert not score("a", 0, None).met  # not attempted: even a threshold of 0 needs an attempt
    assert not score("a", 0, 100.0, problem="broken").met
    for bad in (math.nan, math.inf, True, "90"):
        assert not score("a", 50, bad).met


def test_yes_no_and_level_conditions():
    board = core.Condition(core.BOARD, "board")
    assert core.is_met(board, core.Reading(value=True))
    assert not core.is_met(board, core.Reading(value=False))
    assert not core.is_met(board, core.Reading(value=1))
    level = core.Condition(core.SELF_LEVEL, "sa", 3, skill="fractions")
    assert core.is_met(level, core.Reading(value=3.0))
    assert not core.is_met(level, core.Reading(value=2.5))


def test_route_score_is_the_mean_of_numeric_values_with_missing_as_zero():
    evaluation = core.evaluate("any", [score("a", 50, 90.0), score("b", 50, None)], ROUTES)
    assert evaluation.unlocked and evaluation.score == 45.0
    assert evaluation.route["id"] == "remedial"
    board = core.Condition(core.BOARD, "x")
    evaluation = core.evaluate("all", [score("a", 50, 90.0), core.Result(board, core.Reading(value=True), True)],
                               ROUTES)
    assert evaluation.score == 90.0 and evaluation.route["id"] == "advanced"


def test_no_route_while_locked():
    evaluation = core.evaluate("all", [score("a", 95, 90.0)], ROUTES)
    assert not evaluation.unlocked and evaluation.route is None and evaluation.score == 90.0


@pytest.mark.parametrize("value,route", [(0, "remedial"), (59.99, "remedial"), (60, "core"), (84.9, "core"),
                                         (85, "advanced"), (100, "advanced")])
def test_route_boundaries(value, route):
    assert core.route_for(ROUTES, value)["id"] == route


@given(st.floats(min_value=0, max_value=100))
def test_every_score_lands_in_exactly_one_route(value):
    hits = [r for r in ROUTES if r["min"] <= value < r["max"] or (r["max"] == 100 and value == 100)]
    assert len(hits) == 1 and core.route_for(ROUTES, value) is hits[0]


@given(st.lists(st.tuples(st.floats(0, 100), st.one_of(st.none(), st.floats(0, 100))), min_size=1, max_size=8),
       st.sampled_from(core.MODES))
def test_evaluation_properties(pairs, mode):
    results = [score(str(i), threshold, value) for i, (threshold, value) in enumerate(pairs)]
    evaluation = core.evaluate(mode, results, ROUTES)
    assert 0 <= evaluation.score <= 100
    assert evaluation.unlocked == (all if mode == "all" else any)(r.met for r in results)
    assert (evaluation.route is not None) == evaluation.unlocked
    # raising any value never locks a learner out
    better = [score(str(i), threshold, 100.0) for i, (threshold, _) in enumerate(pairs)]
    assert core.evaluate(mode, better).unlocked


def test_visible_children():
    keys = ["intro", "review", "stretch", "wrap"]
    routes = {"review": "remedial", "stretch": "advanced", "wrap": "everyone"}
    assert core.visible_children(keys, routes, ROUTES[0]) == ["intro", "review", "wrap"]
    assert core.visible_children(keys, routes, ROUTES[2]) == ["intro", "stretch", "wrap"]
    assert core.visible_children(keys, routes, None) == ["intro", "wrap"]


@pytest.mark.parametrize("garbled", [[], {}, 3, None, True])
def test_a_child_whose_stored_route_is_not_a_route_id_stays_closed_on_every_route(garbled):
    # As for a route that no longer exists: nobody's, in the view and in the platform's partition alike.
    routes = {"review": garbled}
    assert core.child_route(routes, "review") == core.UNREADABLE_ROUTE
    assert core.child_route(routes, "intro") == core.EVERYONE
    for route in (*ROUTES, None):
        assert core.visible_children(["intro", "review"], routes, route) == ["intro"]
    assert gate_access.allowed_groups("review", routes, ROUTES) == [gate_access.NOBODY_GROUP]


# --- scores ----------------------------------------------------------------------------------

@pytest.mark.parametrize("earned,possible,expected", [
    (3, 4, 75.0), (0, 5, 0.0), (5, 5, 100.0),
    (math.nan, 5, None), (1, math.nan, None), (6, 5, None), (-1, 5, None), (1, 0, None), (None, 5, None),
    (True, 1, None), (1, math.inf, None),
])
def test_percent_from_score(earned, possible, expected):
    assert core.percent_from_score(earned, possible) == expected


# --- authoring ----------------------------------------------------------------------------------

def test_valid_routes():
    assert core.validate_routes(ROUTES) == []
    assert core.validate_routes([]) == []
    assert core.validate_routes([{"id": "all", "label": "All", "min": 0, "max": 100}]) == []


@pytest.mark.parametrize("routes,fragment", [
    ([dict(ROUTES[0], max=70), ROUTES[1], ROUTES[2]], "overlap"),
    ([dict(ROUTES[0], max=50), ROUTES[1], ROUTES[2]], "gap from 50 to 60"),
    ([ROUTES[1], ROUTES[2]], "gap from 0 to 60"),
    ([ROUTES[0], ROUTES[1]], "gap from 85 to 100"),
    ([dict(ROUTES[0], min=-5)], "from 0 to 100"),
    ([dict(ROUTES[2], max=120)], "from 0 to 100"),
    (ROUTES + [{"id": "x", "label": "X", "min": 0, "max": 1}], "At most 3"),
    ([ROUTES[0], dict(ROUTES[1], id="remedial"), ROUTES[2]], "used twice"),
    ([dict(ROUTES[0], id="everyone")], "reserved"),
    ([dict(ROUTES[0], min=60, max=60)], "start below"),
    ([dict(ROUTES[0], min="0")], "Expected a number"),
    ([dict(ROUTES[0], extra=1)], "Unknown key"),
    ("not a list", "Expected a list"),
])
def test_invalid_routes(routes, fragment):
    problems = messages(core.validate_routes(routes))
    assert problems and any(fragment in problem for problem in problems), problems


def test_child_routes():
    assert core.validate_child_routes({"a": "remedial", "b": "everyone"}, {"a", "b"}, ROUTES) == []
    assert "not a child" in messages(core.validate_child_routes({"z": "core"}, {"a"}, ROUTES))[0]
    assert "unknown route" in messages(core.validate_child_routes({"a": "nope"}, {"a"}, ROUTES))[0]
    # A stored route whose id is not text (a hand edit) is no route a child can be on, never a TypeError.
    garbled = [dict(ROUTES[0], id=[]), *ROUTES[1:]]
    assert "unknown route" in messages(core.validate_child_routes({"a": ROUTES[0]["id"]}, {"a"}, garbled))[0]
    assert "no routes" in messages(core.validate_child_routes({"a": "everyone"}, {"a"}, []))[-1]
    assert core.validate_child_routes([], {"a"}, ROUTES)


def test_thresholds():
    assert core.validate_thresholds([], 2, 80) == []
    assert core.validate_thresholds([50, 100], 2, 0) == []
    assert "outside" in messages(core.validate_thresholds([], 1, 101))[0]
    assert "outside" in messages(core.validate_thresholds([50, -1], 2, 80))[0]
    assert "one threshold per source" in messages(core.validate_thresholds([50], 2, 80))[0]
    assert core.source_thresholds_for(["a", "b"], [50, 70], 80) == [50, 70]
    assert core.source_thresholds_for(["a", "b"], [50], 80) == [80, 80]


def test_skills():
    assert core.validate_skills([{"skill": "fractions", "threshold": 95}]) == []
    assert "listed twice" in messages(core.validate_skills([{"skill": "a", "threshold": 1}] * 2))[0]
    assert "outside" in messages(core.validate_skills([{"skill": "a", "threshold": 0.95 * 200}]))[0]
    assert core.validate_skills([{"skill": "Not a slug", "threshold": 1}])


def test_source_problems_name_the_source():
    problems = core.validate_sources("sources", [("a", "ok"), ("b", "missing"), ("c", "inside"), ("d", "unscorable")])
    assert [problem.params["source"] for problem in problems] == ["b", "c", "d"]
    assert all(problem.field == "sources" for problem in problems)
    assert isinstance(problems[0], PayloadError)


# --- state and words ------------------------------------------------------------------------------

def test_snapshot_only_when_something_changed():
    state = core.default_state()
    evaluation = core.evaluate("all", [score("a", 50, 75.0)], ROUTES)
    first = core.snapshot(state, evaluation, ["score:a"], "2026-01-01T00:00:00+00:00")
    assert first == {"version": 2, "unlocked": True, "route": "core", "values": {"score:a": 75.0},
                     "unlocked_at": "2026-01-01T00:00:00+00:00", "evaluated_at": "2026-01-01T00:00:00+00:00",
                     "reached_at": "2026-01-01T00:00:00+00:00", "round": 0}
    assert core.snapshot(first, evaluation, ["score:a"], "2026-01-02T00:00:00+00:00") is None
    later = core.snapshot(first, core.evaluate("all", [score("a", 50, 95.0)], ROUTES), ["score:a"], "2026-01-03")
    assert later["route"] == "advanced" and later["unlocked_at"] == first["unlocked_at"]
    assert later["reached_at"] == first["reached_at"]  # when the learner first reached the gate stays


def test_states_stored_before_reached_at_count_from_their_last_evaluation():
    stored = {"version": 1, "unlocked": False, "unlocked_at": None, "route": None, "values": {},
              "evaluated_at": "2026-01-05T00:00:00+00:00"}
    state, problem = core.STATE_SHAPE.read(stored)
    assert problem is None and state["reached_at"] == "2026-01-05T00:00:00+00:00"


def test_instructor_exceptions_decide_unlocked_and_route():
    locked = core.evaluate("all", [score("a", 80, 40.0)], ROUTES)
    opened = core.evaluate("all", [score("a", 50, 95.0)], ROUTES)
    entry = {"action": "unlock", "route": None, "reason": "ill", "by": "staff", "at": "2026-01-01"}
    assert core.with_exception(locked, entry, ROUTES).unlocked is True
    assert core.with_exception(locked, entry, ROUTES).route["id"] == "remedial"  # routed by the score
    assert core.with_exception(opened, dict(entry, action="relock"), ROUTES).unlocked is False
    moved = core.with_exception(locked, dict(entry, action="route", route="advanced"), ROUTES)
    assert moved.unlocked and moved.route["id"] == "advanced" and moved.exception["by"] == "staff"
    assert core.with_exception(opened, None, ROUTES) is opened
    state = core.record_exception(core.default_exceptions(), action="unlock", route=None, reason="ill", by="staff",
                                  when="2026-01-01")
    assert state["current"]["action"] == "unlock"
    cleared = core.record_exception(state, action="clear", route=None, reason="better", by="staff",
                                    when="2026-01-02")
    assert cleared["current"] is None and [item["action"] for item in cleared["history"]] == ["unlock", "clear"]
    for _ in range(20):
        cleared = core.record_exception(cleared, action="relock", route=None, reason="again", by="staff",
                                        when="2026-01-03")
    assert len(cleared["history"]) == core.EXCEPTION_HISTORY_CAP
    assert core.EXCEPTION_SHAPE.read({"version": 1, "current": {"action": "boom"}, "history": []})[1]


def test_unlocks_stick_within_a_round():
    state = core.default_state()
    unlocked = core.snapshot(state, core.evaluate("all", [score("a", 50, 75.0)], ROUTES), ["score:a"], "2026-01-01")
    locked_now = core.evaluate("all", [score("a", 90, 40.0)], ROUTES)
    assert not locked_now.unlocked
    kept = core.keep_unlocked(locked_now, unlocked, 0, ROUTES)
    assert kept.unlocked and kept.route["id"] == "remedial"  # the route follows the current score
    assert core.snapshot(unlocked, kept, ["score:a"], "2026-01-02")["unlocked_at"] == "2026-01-01"
    # A new round (the author's "re-evaluate everyone") applies the rule again.
    assert not core.keep_unlocked(locked_now, unlocked, 1, ROUTES).unlocked
    relocked = core.snapshot(unlocked, locked_now, ["score:a"], "2026-01-03", current_round=1)
    assert relocked["unlocked"] is False and relocked["unlocked_at"] is None and relocked["round"] is None
    # Never unlocked: nothing to keep.
    assert not core.keep_unlocked(locked_now, state, 0, ROUTES).unlocked


def test_version_1_state_migrates_with_its_unlock_kept():
    stored = {"version": 1, "unlocked": False, "unlocked_at": "2026-01-01T00:00:00+00:00", "route": None,
              "values": {}, "evaluated_at": "2026-01-02T00:00:00+00:00"}
    state, problem = core.STATE_SHAPE.read(stored)
    assert problem is None and state["round"] == 0 and state["version"] == 2
    assert core.STATE_SHAPE.read(dict(stored, unlocked_at=None))[0]["round"] is None
    assert core.STATE_SHAPE.read(dict(stored, version=2, round="0"))[1]


def test_state_shape_tolerates_garbage():
    assert core.STATE_SHAPE.read({"version": 1, "unlocked": "yes", "values": {}, "route": None,
                                  "unlocked_at": None, "evaluated_at": None})[1]
    assert core.STATE_SHAPE.read({"version": 9})[0] == core.default_state()
    assert core.STATE_SHAPE.read(None) == (core.default_state(), None)


def test_descriptions():
    message, params = core.describe(core.Condition(core.SCORE, "x", 80.0), "Quiz 1")
    assert message % params == "Score at least 80% on “Quiz 1”."
    assert core.number_text(66.6666) == "66.67" and core.number_text(100.0) == "100" and core.number_text(None) == ""


# --- placement and fading mastery ------------------------------------------------------------

def test_a_placed_skill_counts_as_met_whatever_its_value():
    condition = core.Condition(core.SKILL, "fractions", 80.0, skill="fractions")
    assert core.is_met(condition, core.Reading(value=None, placed=True))
    assert core.is_met(condition, core.Reading(value=10.0, placed=True))
    assert not core.is_met(condition, core.Reading(value=10.0))
    assert not core.is_met(condition, core.Reading(problem="x", placed=True))
    score = core.Condition(core.SCORE, "u1", 80.0)
    assert not core.is_met(score, core.Reading(value=10.0, placed=True))


def test_refresh_relocks_only_an_open_gate_and_names_the_faded_skills():
    faded = core.needing_refresh({"fractions": 0.62, "decimals": 0.95, "never": None}, 80)
    assert faded == (("fractions", 62.0),)
    assert core.needing_refresh({"fractions": 0.1}, 0) == ()
    condition = core.Condition(core.SKILL, "fractions", 80.0, skill="fractions")
    results = [core.Result(condition, core.Reading(value=90.0), True)]
    open_gate = core.evaluate("all", results)
    relocked = core.with_refresh(open_gate, faded)
    assert open_gate.unlocked and not relocked.unlocked and relocked.refresh == faded and relocked.route is None
    closed = core.evaluate("all", [core.Result(condition, core.Reading(value=10.0), False)])
    assert core.with_refresh(closed, faded) is closed
    assert core.with_refresh(open_gate, ()) is open_gate
