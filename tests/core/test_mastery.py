"""Mastery estimators: hand-computed values, validation, explanations and properties."""
import math

import pytest
from hypothesis import given, settings, strategies as st

from personalized_path.core import mastery
from personalized_path.core.payload import PayloadError

outcomes = st.lists(st.sampled_from([0.0, 1.0]), max_size=30)
soft_outcomes = st.lists(st.floats(min_value=0, max_value=1, allow_nan=False), max_size=30)
probability = st.floats(min_value=0, max_value=1, allow_nan=False)


@st.composite
def bkt_params(draw):
    guess = draw(st.floats(min_value=0, max_value=0.99, allow_nan=False))
    slip = draw(st.floats(min_value=0, max_value=max(0.0, 0.999 - guess), allow_nan=False))
    return {"prior": draw(probability), "learn": draw(probability), "guess": guess, "slip": slip}


# --- hand-computed values ---------------------------------------------------------------------

def test_empty_history_gives_none_for_every_method():
    for method in mastery.ESTIMATORS:
        assert mastery.estimate(method, []) is None


def test_latest_highest_mean():
    attempts = [0.0, 1.0, 0.5, 0.25]
    assert mastery.latest(attempts) == 0.25
    assert mastery.highest(attempts) == 1.0
    assert mastery.mean(attempts) == pytest.approx(0.4375)


def test_decaying_average_matches_canvas_example():
    # Canvas's spec: scores 1..5 out of 5 at 65% -> 1, 1.65, 2.5275, 3.485, 4.47 (out of 5).
    value = mastery.decaying_average([0.2, 0.4, 0.6, 0.8, 1.0], 0.65)
    assert round(value * 5, 2) == 4.47
    # By hand: [1, 0, 1] at 0.5 -> 1 -> 0.5 -> 0.75.
    assert mastery.decaying_average([1.0, 0.0, 1.0], 0.5) == pytest.approx(0.75)
    assert mastery.decaying_average([0.3], 0.65) == pytest.approx(0.3)
    # weight 1 means only the latest counts
    assert mastery.decaying_average([1.0, 1.0, 0.0], 1.0) == 0.0


def test_n_of_m():
    assert mastery.n_of_m([1, 1, 1], 3, 5) == 1.0
    assert mastery.n_of_m([1, 0, 1], 3, 5) == pytest.approx(2 / 3)
    # only the last m count: the early correct answers fall out of the window
    assert mastery.n_of_m([1, 1, 1, 0, 0, 0], 2, 3) == 0.0
    assert mastery.n_of_m([0, 0, 1, 0, 1], 2, 3) == 1.0
    # partial credit counts as correct only at the cut
    assert mastery.n_of_m([0.9, 0.9], 2, 2) == 0.0
    assert mastery.n_of_m([0.9, 0.9], 2, 2, cut=0.8) == 1.0


def test_bkt_single_steps_by_hand():
    # correct: 0.3*0.9 / (0.3*0.9 + 0.7*0.2) = 0.27/0.41; then + (1 - p) * 0.2
    posterior = 0.27 / 0.41
    assert mastery.bkt([1.0]) == pytest.approx(posterior + (1 - posterior) * 0.2)
    # wrong: 0.3*0.1 / (0.3*0.1 + 0.7*0.8) = 0.03/0.59
    posterior = 0.03 / 0.59
    assert mastery.bkt([0.0]) == pytest.approx(posterior + (1 - posterior) * 0.2)


def test_bkt_two_steps_by_hand():
    p = 0.5
    # correct with guess 0.25, slip 0.05, learn 0.1
    p = p * 0.95 / (p * 0.95 + (1 - p) * 0.25)
    p = p + (1 - p) * 0.1
    # then wrong
    p = p * 0.05 / (p * 0.05 + (1 - p) * 0.75)
    p = p + (1 - p) * 0.1
    assert mastery.bkt([1.0, 0.0], prior=0.5, learn=0.1, guess=0.25, slip=0.05) == pytest.approx(p)


def test_bkt_reaches_default_threshold_after_a_run_of_correct_answers():
    values = [mastery.bkt([1.0] * count) for count in range(1, 6)]
    assert values == sorted(values)
    assert not mastery.is_mastered("bkt", values[0])
    assert mastery.is_mastered("bkt", values[-1])


def test_bkt_impossible_evidence_keeps_the_belief():
    # prior 0 and no guessing: a correct answer "cannot happen"; no division by zero
    assert mastery.bkt([1.0], prior=0.0, learn=0.0, guess=0.0, slip=0.1) == 0.0
    assert mastery.bkt([0.0], prior=1.0, learn=0.0, guess=0.2, slip=0.0) == 1.0


def test_bkt_soft_evidence_is_a_mixture():
    half = mastery.bkt([0.5], learn=0.0)
    assert half == pytest.approx((mastery.bkt([1.0], learn=0.0) + mastery.bkt([0.0], learn=0.0)) / 2)


# --- dispatcher and validation ------------------------------------------------------------

def test_estimate_uses_defaults_and_params():
    # Defaults chosen from benchmarks/bench_mastery_decisions.py (issue 21): weight 0.2, BKT guess 0.3.
    assert mastery.estimate("decaying_average", [1.0, 0.0]) == pytest.approx(0.8)
    assert mastery.estimate("decaying_average", [1.0, 0.0], weight=0.5) == pytest.approx(0.5)
    assert mastery.estimate("n_of_m", [1, 1], n=2, m=2) == 1.0
    assert mastery.estimate("bkt", [1.0]) == mastery.bkt([1.0], guess=0.3)


@pytest.mark.parametrize("method, params, field", [
    ("nope", {}, "method"),
    ("latest", {"weight": 0.5}, "params.weight"),
    ("decaying_average", {"weight": 0}, "params.weight"),
    ("decaying_average", {"weight": 1.5}, "params.weight"),
    ("decaying_average", {"weight": "0.5"}, "params.weight"),
    ("decaying_average", {"weight": float("nan")}, "params.weight"),
    ("n_of_m", {"n": 4, "m": 3}, "params.n"),
    ("n_of_m", {"n": 0, "m": 3}, "params.n"),
    ("n_of_m", {"n": 1, "m": 2.5}, "params.m"),
    ("n_of_m", {"n": True, "m": 3}, "params.n"),
    ("n_of_m", {"cut": 0}, "params.cut"),
    ("bkt", {"prior": 1.2}, "params.prior"),
    ("bkt", {"learn": -0.1}, "params.learn"),
    ("bkt", {"guess": 0.6, "slip": 0.4}, "params.guess"),
    ("bkt", {"slip": None}, "params.slip"),
])
def test_invalid_params_raise_payload_error_naming_the_field(method, params, field):
    with pytest.raises(PayloadError) as error:
        mastery.estimate(method, [1.0], **params)
    assert error.value.field == field
    with pytest.raises(PayloadError):
        mastery.explain(method, **params)


@pytest.mark.parametrize("attempts, field", [
    ("1,0", "attempts"), ([1.0, 2.0], "attempts[1]"), ([float("nan")], "attempts[0]"),
    ([True], "attempts[0]"), ([-0.1], "attempts[0]"), ([None], "attempts[0]"),
])
def test_invalid_attempts_are_refused(attempts, field):
    with pytest.raises(PayloadError) as error:
        mastery.estimate("mean", attempts)
    assert error.value.field == field


def test_every_method_has_a_description_explanation_and_defaults():
    assert set(mastery.ESTIMATORS) == set(mastery.FUNCTIONS) == set(mastery.PARAMS) == set(mastery.EXPLANATIONS)
    for method in mastery.ESTIMATORS:
        sentence = mastery.explain(method)
        assert isinstance(sentence, str) and sentence.endswith(".") and "%(" not in sentence
        # one sentence, plus one for the minimum of evidence where the estimator has none of its own
        assert sentence.count(". ") == (0 if method == "n_of_m" else 1)
        assert 0 <= mastery.default_threshold(method) <= 1


def test_explanations_fill_params_and_translate():
    sentence = mastery.explain("decaying_average", weight=0.7)
    assert "70%" in sentence and "correct answers among" not in sentence  # saved settings keep their meaning
    assert mastery.explain("mean").endswith("You also need 6 correct answers among your last 8.")
    assert sentence.message == mastery.EXPLANATIONS["decaying_average"]
    assert sentence.render(lambda text: text.replace("Your most recent", "TRANSLATED")).startswith("TRANSLATED")
    assert "70%" in sentence.render(lambda text: text)
    assert mastery.explain("n_of_m", n=2, m=4) == "You need 2 correct answers among your last 4."
    assert mastery.explain("n_of_m") == "You need 6 correct answers among your last 8."  # the minimum is implied
    assert "12.5%" in mastery.explain("decaying_average", weight=0.125)


def test_is_mastered():
    assert mastery.is_mastered("bkt", 0.95)
    assert not mastery.is_mastered("bkt", 0.9499)
    assert mastery.is_mastered("bkt", 0.9, threshold=0.9)
    assert mastery.is_mastered("n_of_m", 1.0) and not mastery.is_mastered("n_of_m", 0.99)
    assert mastery.is_mastered("mean", 0.75) and not mastery.is_mastered("mean", 0.74)  # default 0.75 (issue 21)
    assert mastery.is_mastered("latest", 0.8) and not mastery.is_mastered("latest", 0.79)
    assert not mastery.is_mastered("mean", None)
    assert not mastery.is_mastered("mean", float("nan"), threshold=0.0)
    # floating noise just under the threshold still counts
    assert mastery.is_mastered("mean", 0.7 - 1e-12, threshold=0.7)
    # the one comparison: the noise forgiven is a share of the scale, the same for shares and percentages
    assert mastery.meets(0.1 + 0.2 - 1e-12, 0.3) and not mastery.meets(0.3 - 1e-6, 0.3)
    assert mastery.meets(100 * (0.1 + 0.2) - 1e-8, 30, 100) and not mastery.meets(30 - 1e-6, 30, 100)
    with pytest.raises(PayloadError):
        mastery.is_mastered("mean", 0.5, threshold=80)
    with pytest.raises(PayloadError):
        mastery.is_mastered("nope", 0.5)


# --- properties ---------------------------------------------------------------------------

@settings(max_examples=200)
@given(soft_outcomes, bkt_params(), st.floats(min_value=0.01, max_value=1), st.integers(1, 10), st.integers(0, 10))
def test_every_estimate_stays_in_unit_interval(attempts, params, weight, n, extra):
    values = [
        mastery.latest(attempts), mastery.highest(attempts), mastery.mean(attempts),
        mastery.decaying_average(attempts, weight), mastery.n_of_m(attempts, n, n + extra),
        mastery.bkt(attempts, **params),
    ]
    for value in values:
        if attempts:
            assert 0.0 <= value <= 1.0 and math.isfinite(value)
        else:
            assert value is None


@settings(max_examples=300)
@given(outcomes, bkt_params())
def test_appending_a_correct_answer_never_lowers_bkt(attempts, params):
    before = mastery.bkt(attempts, **params) if attempts else params["prior"]
    assert mastery.bkt(attempts + [1.0], **params) >= before - 1e-12


@settings(max_examples=300)
@given(outcomes.filter(bool), bkt_params(), st.data())
def test_turning_any_wrong_answer_into_a_correct_one_never_lowers_bkt(attempts, params, data):
    index = data.draw(st.integers(0, len(attempts) - 1))
    better = list(attempts)
    better[index] = 1.0
    assert mastery.bkt(better, **params) >= mastery.bkt(attempts, **params) - 1e-12


@settings(max_examples=200)
@given(outcomes.filter(bool), st.floats(min_value=0.01, max_value=1), st.integers(1, 10), st.integers(0, 10))
def test_appending_a_correct_answer_never_lowers_the_averages(attempts, weight, n, extra):
    m = n + extra
    assert mastery.highest(attempts + [1.0]) >= mastery.highest(attempts)
    assert mastery.mean(attempts + [1.0]) >= mastery.mean(attempts)
    assert mastery.decaying_average(attempts + [1.0], weight) >= mastery.decaying_average(attempts, weight) - 1e-12
    assert mastery.latest(attempts + [1.0]) == 1.0
    assert mastery.n_of_m(attempts + [1.0], n, m) >= mastery.n_of_m(attempts, n, m)


@settings(max_examples=200)
@given(soft_outcomes.filter(bool))
def test_order_statistics(attempts):
    assert min(attempts) - 1e-12 <= mastery.mean(attempts) <= mastery.highest(attempts) + 1e-12
    assert mastery.latest(attempts) <= mastery.highest(attempts)


@settings(max_examples=200)
@given(soft_outcomes.filter(bool), st.floats(min_value=0.01, max_value=1))
def test_decaying_average_is_a_weighted_mean_within_the_range(attempts, weight):
    value = mastery.decaying_average(attempts, weight)
    assert min(attempts) - 1e-9 <= value <= max(attempts) + 1e-9


@settings(max_examples=100)
@given(st.lists(st.just(1.0), min_size=1, max_size=30), bkt_params())
def test_all_correct_bkt_never_decreases_step_by_step(attempts, params):
    values = [mastery.bkt(attempts[:count], **params) for count in range(1, len(attempts) + 1)]
    assert all(later >= earlier - 1e-12 for earlier, later in zip(values, values[1:]))


def test_evidence_from_several_checks_is_one_history_per_skill_and_any_placement_counts():
    first = {"fractions": [("2026-01-01T10:00:00+00:00", 1.0)], "decimals": [("2026-01-01T10:00:00+00:00", 0.0)]}
    second = {"fractions": [("2026-01-02T10:00:00+00:00", 0.0)]}
    histories, placed = mastery.merged_evidence(
        [first, second], [{"fractions": {"mastered": False}}, {"fractions": {"mastered": True}, "decimals": "bad"}])
    assert histories == {"fractions": first["fractions"] + second["fractions"], "decimals": first["decimals"]}
    assert placed == {"fractions": True, "decimals": False}
