"""Self-assessment domain logic (personalized_path.core.self_assessment)."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from personalized_path.core import privacy
from personalized_path.core import self_assessment as core
from personalized_path.core.payload import PayloadError

STATEMENTS = [
    {"id": "compare", "text": "I can compare fractions", "skill": "fractions"},
    {"id": "add", "text": "I can add fractions", "skill": "fractions"},
    {"id": "explain", "text": "I can explain equivalence", "skill": "reasoning"},
]
SCALE = [{"label": "Not yet", "descriptor": ""}, {"label": "With help", "descriptor": ""},
         {"label": "On my own", "descriptor": ""}, {"label": "Could teach", "descriptor": ""}]
CONFIG = core.Config(statements=STATEMENTS, scale=SCALE, allow_unsure=True, evidence_enabled=True)


def test_validate_config_accepts_a_good_configuration():
    assert core.validate_config(STATEMENTS, SCALE) == []


@pytest.mark.parametrize("statements, scale, fragment", [
    ([], SCALE, "at least one statement"),
    (STATEMENTS + [dict(STATEMENTS[0])], SCALE, "used twice"),
    ([{"id": "Bad Id", "text": "x", "skill": "s"}], SCALE, "statements[0].id"),
    ([{"id": "a", "text": "", "skill": "s"}], SCALE, "statements[0].text"),
    ([{"id": "a", "text": "x"}], SCALE, "statements[0].skill"),
    ("not a list", SCALE, "statements"),
    (STATEMENTS, SCALE[:2], "from 3 to 5 levels"),
    (STATEMENTS, SCALE + SCALE, "from 3 to 5 levels"),
    (STATEMENTS, [{"label": ""}] * 3, "scale[0].label"),
    (STATEMENTS, [{"label": "a", "colour": "red"}] * 3, "colour"),
])
def test_validate_config_names_each_problem(statements, scale, fragment):
    problems = core.validate_config(statements, scale)
    assert problems and any(fragment in problem.render() for problem in problems)


def test_parse_submission_requires_every_statement_and_known_levels():
    ratings, evidence = core.parse_submission(
        {"ratings": {"compare": 1, "add": 4, "explain": 0}, "evidence": {"add": "did p. 4", "compare": "  "}}, CONFIG)
    assert ratings == {"compare": 1, "add": 4, "explain": 0}
    assert evidence == {"add": "did p. 4"}
    bad_payloads = [
        ({"ratings": {"compare": 1, "add": 2}}, "ratings.explain"),
        ({"ratings": {"compare": 1, "add": 2, "explain": 5}}, "ratings.explain"),
        ({"ratings": {"compare": 1, "add": True, "explain": 1}}, "ratings.add"),
        ({"ratings": {"compare": 1, "add": 2, "explain": 1, "ghost": 1}}, "ratings.ghost"),
        ({"ratings": [1, 2, 3]}, "ratings"),
        ({"ratings": {"compare": 1, "add": 2, "explain": 1}, "evidence": {"add": "x" * 1001}}, "evidence.add"),
        ({"ratings": {"compare": 1, "add": 2, "explain": 1}, "evidence": {"add": "😀" * 800}}, "evidence.add"),
        ({"ratings": {"compare": 1, "add": 2, "explain": 1}, "extra": 1}, "extra"),
    ]
    for payload, field in bad_payloads:
        with pytest.raises(PayloadError) as caught:
            core.parse_submission(payload, CONFIG)
        assert caught.value.field == field, payload


def test_unsure_is_refused_when_the_author_did_not_offer_it():
    config = core.Config(statements=STATEMENTS, scale=SCALE, allow_unsure=False)
    with pytest.raises(PayloadError):
        core.parse_submission({"ratings": {"compare": 0, "add": 1, "explain": 1}}, config)


def test_growth_compares_first_and_latest_and_survives_history_trimming():
    state = core.empty_state()
    state = core.record_submission(state, {"compare": 1, "add": 0, "explain": 2}, {}, "2026-01-01T00:00:00+00:00")
    for day in range(2, 2 + core.HISTORY_CAP + 5):
        state = core.record_submission(state, {"compare": 3, "add": 2, "explain": 2}, {},
                                       f"2026-02-{day:02d}T00:00:00+00:00")
    assert len(state["history"]) == core.HISTORY_CAP
    rows = {row["statement"]["id"]: row for row in core.growth(state, CONFIG)}
    assert rows["compare"]["first_level"] == 1 and rows["compare"]["latest_level"] == 3
    assert rows["compare"]["change"] == 2
    assert rows["compare"]["first_at"] == "2026-01-01T00:00:00+00:00"
    assert rows["add"]["change"] is None  # first rating was "not sure yet"
    assert rows["explain"]["change"] == 0


def test_profile_by_skill_averages_latest_ratings_without_unsure():
    state = core.record_submission(core.empty_state(), {"compare": 1, "add": 4, "explain": 0}, {}, "t")
    profile = {row["skill"]: row for row in core.profile_by_skill(state, CONFIG)}
    assert profile["fractions"]["mean"] == 2.5 and profile["fractions"]["out_of"] == 4
    assert profile["reasoning"]["mean"] is None
    assert core.skill_levels(state, CONFIG) == {"fractions": 2.5}


def test_version_zero_state_is_migrated():
    state, problem = core.STATE_SHAPE.read({"ratings": {"compare": 2}, "submitted_at": "2025-05-01T00:00:00+00:00"})
    assert problem is None
    assert state["version"] == core.STATE_VERSION
    assert state["first"]["compare"]["level"] == 2
    assert core.latest(state)["ratings"] == {"compare": 2}


def test_distribution_moves_a_learner_on_rerating_and_counts_learners_once():
    summary = core.update_distribution({}, CONFIG, None, {"compare": 1, "add": 2, "explain": 0})
    summary = core.update_distribution(summary, CONFIG, {"compare": 1, "add": 2, "explain": 0},
                                       {"compare": 3, "add": 2, "explain": 1})
    assert summary["learners"] == 1
    assert summary["counts"]["compare"] == {"0": 0, "1": 0, "2": 0, "3": 1, "4": 0}
    assert summary["counts"]["explain"]["1"] == 1 and summary["counts"]["explain"]["0"] == 0


def test_distribution_tolerates_lost_updates_and_garbage():
    garbled = {"version": 1, "learners": -3, "counts": {"compare": {"1": "x", "2": -5}, "removed": {"1": 9}}}
    summary = core.update_distribution(garbled, CONFIG, {"compare": 2, "add": 1, "explain": 1},
                                       {"compare": 1, "add": 1, "explain": 1})
    assert summary["counts"]["compare"]["2"] == 0
    assert "removed" not in summary["counts"]
    assert summary["learners"] == 0


ratings_strategy = st.fixed_dictionaries({key: st.integers(0, 4) for key in ("compare", "add", "explain")})


@given(st.lists(st.tuples(st.one_of(st.none(), ratings_strategy), ratings_strategy), max_size=30))
def test_distribution_counts_stay_non_negative_and_bounded(moves):
    summary = {}
    for previous, current in moves:
        summary = core.update_distribution(summary, CONFIG, previous, current)
    for bucket in summary.get("counts", {}).values():
        assert set(bucket) == {"0", "1", "2", "3", "4"}
        assert all(count >= 0 for count in bucket.values())


def test_comparison_waits_for_five_learners():
    summary = core.empty_distribution()
    ratings = {"compare": 2, "add": 2, "explain": 2}
    for _ in range(4):
        summary = privacy.record_change(summary, core.update_distribution(summary, CONFIG, None, ratings))
    assert privacy.shown_to_learners(summary) is None
    summary = privacy.record_change(summary, core.update_distribution(
        summary, CONFIG, None, {"compare": 4, "add": 2, "explain": 2}))
    rows = core.comparison(privacy.shown_to_learners(summary), CONFIG)
    compare = next(row for row in rows if row["statement"]["id"] == "compare")
    assert {item["level"]: item["percent"] for item in compare["levels"]}[2] == 80
