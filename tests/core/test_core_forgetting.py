"""FSRS-6 memory model: the published formulas, worked examples by hand, and py-fsrs as an oracle."""
import math
from datetime import datetime, timedelta, timezone

import pytest
from fsrs import Card, Rating, Scheduler
from hypothesis import given
from hypothesis import strategies as st

from personalized_path.core import forgetting as f

W = f.DEFAULT_PARAMETERS
START = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
stabilities = st.floats(min_value=0.01, max_value=3650, allow_nan=False)
difficulties = st.floats(min_value=1, max_value=10, allow_nan=False)


@given(stabilities)
def test_recall_is_ninety_percent_after_exactly_one_stability(stability):
    assert f.retrievability(stability, stability) == pytest.approx(0.9, abs=1e-12)
    assert f.interval(stability) == pytest.approx(stability, rel=1e-9)


@given(stabilities, st.floats(min_value=0, max_value=1000), st.floats(min_value=0.001, max_value=1000))
def test_recall_falls_with_time(stability, earlier, extra):
    assert 0 < f.retrievability(earlier + extra, stability) <= f.retrievability(earlier, stability) <= 1


@given(difficulties, stabilities, st.integers(min_value=1, max_value=3650))
def test_a_spaced_right_answer_grows_stability_and_a_miss_shrinks_it(difficulty, stability, days):
    recall = f.retrievability(days, stability)
    assert f.recall_stability(difficulty, stability, recall) > stability
    assert f.forget_stability(difficulty, stability, recall) < stability


def test_worked_example_by_hand():
    # First answer right ("good"): S0 = w2 = 2.3065, D0 = w4 - e^(w5 * 2) + 1.
    first = f.review(None, True, START)
    assert first.stability == 2.3065
    d0 = 6.4133 - math.exp(0.8334 * 2) + 1  # = 2.11810...
    assert first.difficulty == pytest.approx(d0)
    assert d0 == pytest.approx(2.11810397, abs=1e-6)
    # Three days later, right again: R = (1 + F * 3 / 2.3065) ** -0.1542 with F = 0.9 ** (-1 / 0.1542) - 1.
    factor = 0.9 ** (-1 / 0.1542) - 1
    recall = (1 + factor * 3 / 2.3065) ** -0.1542
    assert recall == pytest.approx(0.88095, abs=1e-5)
    growth = math.exp(1.8722) * (11 - d0) * 2.3065 ** -0.1666 * (math.exp(0.796 * (1 - recall)) - 1)
    second = f.review(first, True, START + timedelta(days=3))
    assert second.stability == pytest.approx(2.3065 * (1 + growth))
    assert second.stability == pytest.approx(13.8269, abs=1e-4)
    # Difficulty after "good": (10 - D) damping term is 0, mean reversion towards D0(easy) with w7.
    d0_easy = 6.4133 - math.exp(0.8334 * 3) + 1
    assert second.difficulty == pytest.approx(max(1.0, 0.001 * d0_easy + 0.999 * d0))
    # Review due when recall reaches 90%: one stability after the last answer.
    assert f.review_due(second) == second.last_review + timedelta(days=second.stability)


def test_a_miss_after_a_long_gap_uses_the_forgetting_formula():
    first = f.review(None, True, START)
    later = START + timedelta(days=30)
    recall = f.retrievability(30, first.stability)
    long_term = (1.4835 * first.difficulty ** -0.0614 * ((first.stability + 1) ** 0.2629 - 1)
                 * math.exp(1.6483 * (1 - recall)))
    missed = f.review(first, False, later)
    assert missed.stability == pytest.approx(min(long_term, first.stability / math.exp(0.5425 * 0.0912)))
    assert missed.stability < first.stability


def test_same_day_answers_use_the_short_term_formula():
    first = f.review(None, False, START)
    again = f.review(first, True, START + timedelta(hours=2))
    change = max(1.0, math.exp(0.5425 * (0 + 0.0912)) * first.stability ** -0.0658)
    assert again.stability == pytest.approx(first.stability * change)


@given(st.lists(st.tuples(st.integers(min_value=0, max_value=60 * 24 * 90), st.booleans()), min_size=1, max_size=25))
def test_equal_to_py_fsrs_the_reference_implementation(answers):
    """Each answer as a review ("again" or "good") in py-fsrs, no learning steps, no fuzz."""
    scheduler = Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)
    card, memory, when = Card(), None, START
    for minutes, correct in answers:
        when += timedelta(minutes=minutes)
        card, _ = scheduler.review_card(card, Rating.Good if correct else Rating.Again, review_datetime=when)
        memory = f.review(memory, correct, when)
        assert memory.stability == pytest.approx(card.stability, rel=1e-9)
        assert memory.difficulty == pytest.approx(card.difficulty, rel=1e-9)
    later = when + timedelta(days=17)
    expected = scheduler.get_card_retrievability(card, later)
    assert f.recall_probability(memory, later) == pytest.approx(expected, rel=1e-9)


def test_evidence_is_read_in_time_order_and_nothing_means_no_estimate():
    evidence = [(START + timedelta(days=4), True), (START, False), (START, True)]
    assert f.in_order(evidence) == [(START, False), (START, True), (START + timedelta(days=4), True)]
    assert f.recall_probability(None, START) is None and f.review_due(None) is None
