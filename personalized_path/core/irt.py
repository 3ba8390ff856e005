"""
Item response theory for adaptive skill checks: the two-parameter logistic model (2PL).

An item ``i`` has a discrimination ``a_i > 0`` and a difficulty ``b_i`` on the ability scale.
For a learner of ability ``theta``:

* probability of a correct answer: ``P_i(theta) = 1 / (1 + exp(-a_i * (theta - b_i)))``;
* Fisher information of the item: ``I_i(theta) = a_i**2 * P_i(theta) * (1 - P_i(theta))``,
  largest (``a_i**2 / 4``) at ``theta = b_i``.

Ability is estimated by expected a posteriori (EAP, Bock and Mislevy, 1982) over a standard
normal prior, by quadrature on a fixed grid of ``GRID_POINTS`` points from ``-GRID_LIMIT`` to
``GRID_LIMIT``:

    posterior(theta_q) ~ phi(theta_q) * prod_i P_i(theta_q)**u_i * (1 - P_i(theta_q))**(1 - u_i)
    theta_hat = sum_q theta_q * posterior(theta_q),
    SE = sqrt(sum_q (theta_q - theta_hat)**2 * posterior(theta_q)),

with ``u_i`` 1 for a correct answer and 0 for a wrong one. With no answers the estimate is the
prior's: 0 with a standard error of (almost exactly) 1.

The next item is the unasked item with the most information at the current estimate; ties go
to the item that comes first in the pool, so the choice is deterministic. A check stops when
the standard error falls below the author's target or the question budget is spent.

Difficulty from the class (``refine_difficulty``): each item keeps anonymous counts of
answers and correct answers in ability bins (``BIN_EDGES``), from each learner's first answer
to the item, binned by the learner's own estimate at answer time (from all their earlier
answers to the pool), and only when that estimate is informed (standard error at most
``CALIBRATION_MAX_SE``; a first answer, at the prior mean, would pull every difficulty toward
the middle). Once at least ``MIN_LEARNERS`` learners are counted, the difficulty is the maximum a
posteriori estimate given those counts (each bin's learners placed at the bin's centre) under a
normal prior centred on the author's difficulty with standard deviation ``PRIOR_SD``, and it
moves at most ``shift_allowed``: ``MAX_SHIFT`` times the share of ``FULL_TRUST_LEARNERS`` counted
so far. The bound on a coordinated minority, measured in tests/core/test_core_irt.py over every
class size and ability bin: 20 accounts answering an item all wrong (or all right) on purpose
move its difficulty by at most ``MINORITY_BOUND`` from where the honest learners put it, and by
nothing alone (20 answers are below ``MIN_LEARNERS``).
"""
import math

from . import N_
from .payload import PayloadError, as_number

DIFFICULTY_LABELS = {"easy": -1.0, "medium": 0.0, "hard": 1.0}
MIN_DIFFICULTY, MAX_DIFFICULTY = -4.0, 4.0
MIN_DISCRIMINATION, MAX_DISCRIMINATION = 0.2, 3.0
DEFAULT_DISCRIMINATION = 1.0

GRID_LIMIT = 5.0
GRID_POINTS = 81
GRID = tuple(-GRID_LIMIT + index * (2 * GRID_LIMIT / (GRID_POINTS - 1)) for index in range(GRID_POINTS))
PRIOR = tuple(math.exp(-theta * theta / 2) for theta in GRID)

# Class calibration of difficulty.
BIN_EDGES = (-2.5, -1.5, -0.5, 0.5, 1.5, 2.5)
BIN_CENTRES = (-3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0)
MIN_LEARNERS = 50
PRIOR_SD = 0.5
MAX_SHIFT = 1.0
FULL_TRUST_LEARNERS = 500
CALIBRATION_MAX_SE = 0.85
MINORITY_BOUND = 0.5


def probability(theta, difficulty, discrimination=DEFAULT_DISCRIMINATION):
    """P(correct) under the 2PL model."""
    exponent = -discrimination * (theta - difficulty)
    if exponent > 700:  # exp would overflow: the probability is 0 to double precision
        return 0.0
    return 1.0 / (1.0 + math.exp(exponent))


def information(theta, difficulty, discrimination=DEFAULT_DISCRIMINATION):
    """Fisher information of one 2PL item at ``theta``."""
    chance = probability(theta, difficulty, discrimination)
    return discrimination * discrimination * chance * (1.0 - chance)


def posterior(responses):
    """
    The normalised posterior weights on ``GRID`` after ``responses``, a sequence of
    ``(difficulty, discrimination, correct)``.
    """
    logs = [math.log(weight) for weight in PRIOR]
    for difficulty, discrimination, correct in responses:
        for index, theta in enumerate(GRID):
            chance = probability(theta, difficulty, discrimination)
            chance = chance if correct else 1.0 - chance
            logs[index] += math.log(chance) if chance > 0 else -745.0
    top = max(logs)
    weights = [math.exp(value - top) for value in logs]
    total = math.fsum(weights)
    return [weight / total for weight in weights]


def estimate(responses):
    """EAP ability and its standard error: ``(theta_hat, se)``."""
    weights = posterior(responses)
    theta_hat = math.fsum(theta * weight for theta, weight in zip(GRID, weights))
    variance = math.fsum((theta - theta_hat) ** 2 * weight for theta, weight in zip(GRID, weights))
    return theta_hat, math.sqrt(max(variance, 0.0))


def mastery_probability(responses, standard):
    """The posterior probability that the ability is at least ``standard``, after ``responses`` (as ``posterior``)."""
    return math.fsum(weight for theta, weight in zip(GRID, posterior(responses)) if theta >= standard - 1e-12)


def next_item(theta, items, asked=()):
    """
    The id of the unasked item with the most information at ``theta`` (ties: first in
    ``items``), or None when every item has been asked. ``items`` is a sequence of
    ``(id, difficulty, discrimination)``.
    """
    best, best_information = None, -1.0
    asked = set(asked)
    for item_id, difficulty, discrimination in items:
        if item_id in asked:
            continue
        value = information(theta, difficulty, discrimination)
        if value > best_information + 1e-12:
            best, best_information = item_id, value
    return best


def should_stop(standard_error, asked_count, budget, target_se, remaining):
    """Whether an adaptive check ends: precise enough, budget spent, or nothing left to ask."""
    return asked_count >= budget or remaining == 0 or (asked_count > 0 and standard_error < target_se)


def as_difficulty(value, field):
    """An author's difficulty: "easy", "medium", "hard" or a number from -4 to 4."""
    if isinstance(value, str):
        if value in DIFFICULTY_LABELS:
            return DIFFICULTY_LABELS[value]
        raise PayloadError(field, N_('Use "easy", "medium", "hard" or a number from %(minimum)s to %(maximum)s.'),
                           minimum=int(MIN_DIFFICULTY), maximum=int(MAX_DIFFICULTY))
    return float(as_number(value, field, MIN_DIFFICULTY, MAX_DIFFICULTY))


def as_discrimination(value, field):
    return float(as_number(value, field, MIN_DISCRIMINATION, MAX_DISCRIMINATION))


# --- difficulty from the class -------------------------------------------------------------------

def ability_bin(theta):
    """The index of the calibration bin ``theta`` falls in."""
    for index, edge in enumerate(BIN_EDGES):
        if theta < edge:
            return index
    return len(BIN_EDGES)


def empty_bins():
    """Counts for one item: ``{"n": [...], "correct": [...]}``, one entry per bin."""
    return {"n": [0] * len(BIN_CENTRES), "correct": [0] * len(BIN_CENTRES)}


def refine_difficulty(author_difficulty, discrimination, bins):
    """
    The item's difficulty refined from the class's binned answers (MAP under a normal prior on the
    author's value), within ``shift_allowed`` of it; the author's value with fewer than ``MIN_LEARNERS``.
    """
    answered = sum(bins["n"])
    if answered < MIN_LEARNERS:
        return author_difficulty
    value = author_difficulty
    for _ in range(25):  # Newton's method on the log posterior; concave, so it converges fast
        slope = -(value - author_difficulty) / (PRIOR_SD ** 2)
        curvature = -1.0 / (PRIOR_SD ** 2)
        for centre, count, correct in zip(BIN_CENTRES, bins["n"], bins["correct"]):
            if not count:
                continue
            chance = probability(centre, value, discrimination)
            slope -= discrimination * (correct - count * chance)
            curvature -= discrimination * discrimination * count * chance * (1 - chance)
        step = slope / curvature
        value -= step
        if abs(step) < 1e-9:
            break
    allowed = shift_allowed(answered)
    low = max(MIN_DIFFICULTY, author_difficulty - allowed)
    high = min(MAX_DIFFICULTY, author_difficulty + allowed)
    return min(high, max(low, value))


def shift_allowed(answered):
    """How far the class may move a difficulty after ``answered`` counted answers: grows to ``MAX_SHIFT``."""
    return MAX_SHIFT * min(1.0, answered / FULL_TRUST_LEARNERS)
