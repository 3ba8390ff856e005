"""Pure goal-reflection logic: dates, payload parsing, state records, counts and credit."""
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from personalized_path.core import goals as core
from personalized_path.core.payload import PayloadError

CONFIG = core.Config(long_term_prompt="Long?", short_term_prompts=("Short?",), min_chars=3, max_chars=50)
TODAY = date(2026, 3, 10)


def test_target_dates_accept_yesterday_to_five_years_ahead():
    assert core.parse_target("2026-03-09", "d", TODAY) == "2026-03-09"  # west of UTC it is still yesterday
    assert core.parse_target("2031-03-10", "d", TODAY) == "2031-03-10"
    for bad in ("2026-03-08", "2031-03-11", "2026-02-29", "2026-3-10", " 2026-03-10", "2026-03-10T00:00", ""):
        with pytest.raises(PayloadError) as error:
            core.parse_target(bad, "d", TODAY)
        assert error.value.field == "d"


def test_latest_target_from_a_leap_day():
    assert core.latest_target(date(2028, 2, 29)) == date(2033, 2, 28)


def test_an_unchanged_stored_date_is_accepted_even_when_passed():
    assert core.parse_target("2020-01-01", "d", TODAY, stored="2020-01-01") == "2020-01-01"
    with pytest.raises(PayloadError):
        core.parse_target("2020-01-01", "d", TODAY, stored="2020-01-02")


def goals(long_text="Learn it well", short_text="Practise daily"):
    return {"revision": 0, "goals": {"long": {"text": long_text, "smart": ["T", "S"], "target_date": "2026-06-01"},
                                     "short-1": {"text": short_text, "target_date": "2026-04-01"}}}


def test_parse_goals_orders_smart_letters_and_ignores_no_plan():
    revision, parsed, plan = core.parse_goals(goals(), CONFIG, core.empty_state(), TODAY)
    assert revision == 0 and parsed["long"]["smart"] == ["S", "T"] and parsed["short-1"]["smart"] == []
    assert plan == {}


def test_record_goals_then_revise_then_checkin():
    state = core.empty_state()
    _rev, parsed, plan = core.parse_goals(goals(), CONFIG, state, TODAY)
    state, kind, changed = core.record_goals(state, parsed, plan, "2026-03-10T10:00:00+00:00")
    assert kind == "set" and changed == ["long", "short-1"] and state["first_set_at"].startswith("2026-03-10")
    _rev, parsed, plan = core.parse_goals(goals(short_text="Practise twice a day"), CONFIG, state, TODAY)
    state, kind, changed = core.record_goals(state, parsed, plan, "2026-03-12T10:00:00+00:00")
    assert kind == "revise" and changed == ["short-1"]
    assert state["goals"]["short-1"]["set_at"].startswith("2026-03-10")
    assert state["goals"]["short-1"]["updated_at"].startswith("2026-03-12")
    _rev, entry = core.parse_checkin({"revision": 2, "progress": {"long": 1, "short-1": 3}, "helped": "abc",
                                      "obstacles": "def", "next_step": "ghi"}, CONFIG, state)
    state = core.record_checkin(state, entry, "2026-03-13T10:00:00+00:00")
    assert state["revision"] == 3 and core.last_checkin(state)["number"] == 1
    assert core.next_checkin_due(state, 7) == date(2026, 3, 20)
    assert core.next_checkin_due(state, 0) is None
    assert core.credit(state, 2) == (1, 2) and core.credit(state, 0) == (1, 1)
    assert core.STATE_SHAPE.read(state) == (state, None)


def test_garbled_states_read_as_defaults_with_a_reason():
    for stored in ({"version": 1, "revision": -1, "goals": {}, "timeline": [], "saves": 0, "checkins": 0},
                   {"version": 1, "revision": 0, "goals": {"long": {"text": 3}}, "timeline": [], "saves": 0,
                    "checkins": 0},
                   {"version": 1, "revision": 0, "goals": {}, "timeline": [{"kind": "party"}], "saves": 0,
                    "checkins": 0},
                   {"version": 1, "revision": 0, "goals": {}, "saves": 0, "checkins": 1,
                    "timeline": [{"kind": "checkin", "at": "x", "progress": {"long": "9"}}]},
                   {"version": 1, "revision": 0, "goals": {}, "saves": 1, "checkins": 0,
                    "timeline": [{"kind": "goals", "at": "x", "goals": {"long": 5}}]},
                   {"version": 2}, [1, 2], "text"):
        state, problem = core.STATE_SHAPE.read(stored)
        assert state == core.empty_state() and problem


def test_counts_restart_when_garbled_and_only_count():
    assert core.update_counts(None, None, {"goals": True, "checkins": 0}) == {
        "version": 1, "learners_with_goals": 1, "checkins": 0}
    assert core.update_counts({"version": 1, "learners_with_goals": True, "checkins": 4},
                              {"goals": True, "checkins": 1}, {"goals": True, "checkins": 2}) == {
        "version": 1, "learners_with_goals": 0, "checkins": 5}
    assert core.update_counts({"version": 1, "learners_with_goals": 3, "checkins": 9}, "garbled", ["x"]) == {
        "version": 1, "learners_with_goals": 3, "checkins": 9}


def test_counts_are_the_sum_of_the_learners_contributions():
    state = dict(core.empty_state(), goals={"long": {}}, checkins=2)
    assert core.class_contribution(state) == {"goals": True, "checkins": 2}
    summary = None
    for old, new in ((None, {"goals": True, "checkins": 0}), (None, {"goals": True, "checkins": 1}),
                     ({"goals": True, "checkins": 0}, {"goals": True, "checkins": 3})):
        summary = core.update_counts(summary, old, new)
    assert summary == {"version": 1, "learners_with_goals": 2, "checkins": 4}


def test_config_validation_lists_every_problem():
    problems = core.validate_config(long_term_prompt="", short_term_prompts=["ok", "", "x", "y"], min_chars=-1,
                                    max_chars=10, checkin_count=99, checkin_interval_days=-2, grade_checkins=True,
                                    weight=0)
    fields = [problem.field for problem in problems]
    assert fields == ["long_term_prompt", "short_term_prompts", "max_chars", "min_chars", "checkin_count",
                      "checkin_interval_days", "grade_checkins"]
    assert core.validate_config(long_term_prompt="Long?", short_term_prompts=["Short?"], min_chars=10,
                                max_chars=1000, checkin_count=3, checkin_interval_days=7, grade_checkins=False,
                                weight=1.0) == []


SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
JSON = st.recursive(SCALARS, lambda children: st.lists(children, max_size=3)
                    | st.dictionaries(st.text(max_size=8), children, max_size=3), max_leaves=12)


@settings(max_examples=300)
@given(data=st.dictionaries(st.sampled_from(["revision", "goals", "plan", "progress", "helped", "obstacles",
                                             "next_step", "x"]), JSON, max_size=6))
def test_any_payload_parses_or_raises_payload_error(data):
    state = core.empty_state()
    for parse in (lambda: core.parse_goals(data, CONFIG, state, TODAY),
                  lambda: core.parse_checkin(data, CONFIG, dict(state, goals={"long": {"text": "t", "target": "x"}}))):
        try:
            parse()
        except PayloadError as error:
            assert isinstance(error.field, str)
