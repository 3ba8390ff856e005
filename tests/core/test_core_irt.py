"""2PL item response theory: information, EAP estimates, item choice and class calibration."""
import math
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from personalized_path.core import irt
from personalized_path.core.payload import PayloadError

thetas = st.floats(min_value=-4, max_value=4, allow_nan=False)
difficulties = st.floats(min_value=-4, max_value=4, allow_nan=False)
discriminations = st.floats(min_value=0.2, max_value=3, allow_nan=False)


@given(difficulties, discriminations, thetas)
def test_information_is_largest_at_the_items_difficulty(difficulty, discrimination, theta):
    peak = irt.information(difficulty, difficulty, discrimination)
    assert peak == pytest.approx(discrimination ** 2 / 4)
    assert irt.information(theta, difficulty, discrimination) <= peak + 1e-12


def test_worked_example_probability_and_information_by_hand():
    # a = 1.5, b = 0.5, theta = 1: P = 1 / (1 + e^-0.75) = 0.679179, I = 2.25 * P * (1 - P) = 0.490264
    assert irt.probability(1.0, 0.5, 1.5) == pytest.approx(0.679179, abs=1e-6)
    assert irt.information(1.0, 0.5, 1.5) == pytest.approx(0.490264, abs=1e-6)


def test_no_answers_give_the_prior():
    theta, se = irt.estimate([])
    assert theta == pytest.approx(0, abs=1e-9)
    assert se == pytest.approx(1, abs=1e-3)


def test_worked_example_one_right_answer_by_direct_integration():
    # One right answer to a = 1, b = 0: posterior ~ phi(t) / (1 + e^-t). By symmetry the
    # normalising integral is 1/2, and E[theta] = 2 * integral of t phi(t) P(t) dt (computed
    # here with a fine Simpson rule, independent of the module's grid).
    def integrand(t):
        return t * math.exp(-t * t / 2) / math.sqrt(2 * math.pi) / (1 + math.exp(-t))
    steps, low, high = 4000, -10.0, 10.0
    width = (high - low) / steps
    total = integrand(low) + integrand(high)
    for index in range(1, steps):
        total += (4 if index % 2 else 2) * integrand(low + index * width)
    expected = 2 * total * width / 3
    theta, se = irt.estimate([(0.0, 1.0, True)])
    assert expected == pytest.approx(0.41, abs=0.01)
    assert theta == pytest.approx(expected, abs=1e-3)
    assert se < 1


@given(st.lists(st.tuples(difficulties, discriminations, st.booleans()), max_size=8), difficulties, discriminations)
def test_estimates_move_toward_the_evidence(history, difficulty, discrimination):
    before, _ = irt.estimate(history)
    right, _ = irt.estimate(history + [(difficulty, discrimination, True)])
    wrong, _ = irt.estimate(history + [(difficulty, discrimination, False)])
    assert right >= before - 1e-9
    assert wrong <= before + 1e-9


def test_standard_error_shrinks_with_informative_answers():
    _, first = irt.estimate([(0.0, 1.5, True)])
    _, second = irt.estimate([(0.0, 1.5, True), (0.5, 1.5, False)])
    assert second < first < 1


def test_next_item_is_the_most_informative_with_ties_to_the_first():
    items = [("far", 3.0, 1.0), ("near", 0.2, 1.0), ("twin", -0.2, 1.0)]
    assert irt.next_item(0.0, items) == "near"  # same information as "twin": first in the pool wins
    assert irt.next_item(0.0, items, asked={"near"}) == "twin"
    assert irt.next_item(0.0, items, asked={"near", "twin", "far"}) is None
    assert irt.next_item(2.5, items) == "far"


def test_stopping_rule():
    assert irt.should_stop(0.9, 5, budget=5, target_se=0.3, remaining=3)
    assert irt.should_stop(0.25, 2, budget=5, target_se=0.3, remaining=3)
    assert irt.should_stop(0.9, 2, budget=5, target_se=0.3, remaining=0)
    assert not irt.should_stop(0.9, 2, budget=5, target_se=0.3, remaining=3)
    assert not irt.should_stop(1.0, 0, budget=5, target_se=1.5, remaining=3)


def test_difficulty_labels_and_range():
    assert [irt.as_difficulty(label, "d") for label in ("easy", "medium", "hard")] == [-1.0, 0.0, 1.0]
    assert irt.as_difficulty(2.5, "d") == 2.5
    for bad in ("very hard", 4.5, -5, float("nan"), True, None):
        with pytest.raises(PayloadError) as error:
            irt.as_difficulty(bad, "questions[0].difficulty")
        assert error.value.field == "questions[0].difficulty"


def answered(bins, theta, correct):
    """``bins`` with one more answer from a learner of ability ``theta``, counted as the class counts are."""
    counts = {"n": list(bins["n"]), "correct": list(bins["correct"])}
    counts["n"][irt.ability_bin(theta)] += 1
    counts["correct"][irt.ability_bin(theta)] += 1 if correct else 0
    return counts


def test_class_calibration_needs_enough_learners_and_stays_bounded():
    bins = irt.empty_bins()
    for _ in range(irt.MIN_LEARNERS - 1):
        bins = answered(bins, 0.0, False)
    assert irt.refine_difficulty(0.0, 1.0, bins) == 0.0  # too few learners: the author's value
    bins = answered(bins, 0.0, False)
    harder = irt.refine_difficulty(0.0, 1.0, bins)
    # everyone of average ability missed it: harder, and no further than the class size allows yet
    assert 0.0 < harder <= irt.shift_allowed(irt.MIN_LEARNERS) < irt.MAX_SHIFT
    easy = irt.empty_bins()
    for _ in range(irt.FULL_TRUST_LEARNERS):
        easy = answered(easy, -1.0, True)
    assert irt.refine_difficulty(0.0, 1.0, easy) == -irt.MAX_SHIFT


def test_class_calibration_recovers_a_difficulty_from_matching_answers():
    # Learners at each bin centre answering exactly as a 2PL item with b = 0.6 predicts.
    bins = {"n": [1000] * len(irt.BIN_CENTRES),
            "correct": [round(1000 * irt.probability(c, 0.6, 1.2)) for c in irt.BIN_CENTRES]}
    assert irt.refine_difficulty(0.0, 1.2, bins) == pytest.approx(0.6, abs=0.02)


def honest_class(size, difficulty, generator, noise=0.3):
    """Counts from ``size`` honest learners (abilities N(0, 1), each binned by a noisy estimate of it)."""
    bins = irt.empty_bins()
    for _ in range(size):
        theta = generator.gauss(0, 1)
        correct = generator.random() < irt.probability(theta, difficulty)
        bins = answered(bins, theta + generator.gauss(0, noise), correct)
    return bins


def test_twenty_coordinated_accounts_move_a_difficulty_at_most_the_documented_bound():
    """Issue 21: 20 accounts answering wrong on purpose moved a difficulty the full 1.0 allowed."""
    generator = random.Random(21)
    alone = irt.empty_bins()
    alone["n"][-1] = 20
    assert irt.refine_difficulty(1.0, 1.0, alone) == 1.0  # 20 accounts alone: below the minimum
    worst = 0.0
    for size in (30, 50, 100, 200, 300, 400, 800):
        for _ in range(5):
            honest = honest_class(size, 1.0, generator)
            base = irt.refine_difficulty(1.0, 1.0, honest)
            for index in range(len(irt.BIN_CENTRES)):
                for right in (0, 20):
                    attacked = {"n": list(honest["n"]), "correct": list(honest["correct"])}
                    attacked["n"][index] += 20
                    attacked["correct"][index] += right
                    worst = max(worst, abs(irt.refine_difficulty(1.0, 1.0, attacked) - base))
    assert worst <= irt.MINORITY_BOUND


def test_honest_learners_binned_by_their_own_estimates_find_the_difficulty():
    """Issue 21: binned at the prior mean, 400 honest learners moved a difficulty of 1.5 to 1.07."""
    generator = random.Random(15)
    found = [irt.refine_difficulty(1.0, 1.0, honest_class(400, 1.5, generator)) for _ in range(10)]
    assert sum(found) / len(found) == pytest.approx(1.5, abs=0.1)


@given(thetas)
def test_every_ability_falls_in_a_bin(theta):
    assert 0 <= irt.ability_bin(theta) < len(irt.BIN_CENTRES)
