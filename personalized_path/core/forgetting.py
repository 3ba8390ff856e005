"""
Mastery that fades: FSRS-6 (the Free Spaced Repetition Scheduler, version 6) per skill.

Each skill a learner has shown evidence for has a memory state: a stability ``S`` (days) and a
difficulty ``D`` (1..10). Every answer to a question tagged with the skill counts as one review:
a wrong answer is rated "again" (G = 1), a right one "good" (G = 3). With FSRS-6's published
default parameters ``w0 .. w20`` (``DEFAULT_PARAMETERS``):

Forgetting curve (the probability that the skill is still known ``t`` days after the last review):

    R(t, S) = (1 + F * t / S) ** (-w20),   F = 0.9 ** (-1 / w20) - 1,   so R(S, S) = 0.9

First review:

    S0(G) = w[G - 1]
    D0(G) = w4 - exp(w5 * (G - 1)) + 1                     (clamped to 1..10)

Later reviews, ``t`` whole days after the previous one, with ``R = R(t, S)``:

    D' = w7 * D0(4) + (1 - w7) * (D - w6 * (G - 3) * (10 - D) / 9)      (clamped to 1..10)

    on another day (t >= 1):
      right: S' = S * (1 + exp(w8) * (11 - D) * S ** (-w9) * (exp(w10 * (1 - R)) - 1))
      wrong: S' = min(w11 * D ** (-w12) * ((S + 1) ** w13 - 1) * exp(w14 * (1 - R)),
                      S / exp(w17 * w18))
    on the same day (t < 1):
      S' = S * exp(w17 * (G - 3 + w18)) * S ** (-w19), never below S when right

(the hard penalty w15 and easy bonus w16 never apply, since only "again" and "good" are used).
Stability never falls below 0.001 days. ``D`` in the stability formulas is the difficulty
before the review. The next review is due when R falls to the desired retention ``r``:
``t = S / F * (r ** (-1 / w20) - 1)``, which is ``S`` for ``r = 0.9``.

Time counts in whole elapsed days everywhere, as FSRS (and py-fsrs) does: the recall shown at
``now`` is the recall the next review's update uses. Answers given at the same moment (the
questions of one submitted check) keep the order they were recorded in (``in_order``).
"""
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

AGAIN, GOOD = 1, 3
DEFAULT_PARAMETERS = (
    0.212, 1.2931, 2.3065, 8.2956, 6.4133, 0.8334, 3.0194, 0.001, 1.8722, 0.1666, 0.796,
    1.4835, 0.0614, 0.2629, 1.6483, 0.6014, 1.8729, 0.5425, 0.0912, 0.0658, 0.1542,
)
MIN_STABILITY = 0.001
MIN_DIFFICULTY, MAX_DIFFICULTY = 1.0, 10.0
DEFAULT_RETENTION = 0.9


@dataclass(frozen=True)
class Memory:
    """A skill's memory state after its last review."""

    stability: float
    difficulty: float
    last_review: datetime
    reviews: int = 1


def factor(w=DEFAULT_PARAMETERS):
    return 0.9 ** (-1 / w[20]) - 1


def retrievability(days, stability, w=DEFAULT_PARAMETERS):
    """R(t, S): the probability of recall ``days`` after the last review."""
    days = max(0.0, days)
    return (1 + factor(w) * days / stability) ** (-w[20])


def interval(stability, retention=DEFAULT_RETENTION, w=DEFAULT_PARAMETERS):
    """Days until R falls to ``retention``."""
    return stability / factor(w) * (retention ** (-1 / w[20]) - 1)


def initial_stability(rating, w=DEFAULT_PARAMETERS):
    return max(MIN_STABILITY, w[rating - 1])


def initial_difficulty(rating, w=DEFAULT_PARAMETERS, clamp=True):
    value = w[4] - math.exp(w[5] * (rating - 1)) + 1
    return _clamp_difficulty(value) if clamp else value


def next_difficulty(difficulty, rating, w=DEFAULT_PARAMETERS):
    damped = difficulty - w[6] * (rating - 3) * (10 - difficulty) / 9
    reverted = w[7] * initial_difficulty(4, w, clamp=False) + (1 - w[7]) * damped
    return _clamp_difficulty(reverted)


def recall_stability(difficulty, stability, recall, w=DEFAULT_PARAMETERS):
    """Stability after a right answer on another day ("good")."""
    growth = math.exp(w[8]) * (11 - difficulty) * stability ** (-w[9]) * (math.exp(w[10] * (1 - recall)) - 1)
    return max(MIN_STABILITY, stability * (1 + growth))


def forget_stability(difficulty, stability, recall, w=DEFAULT_PARAMETERS):
    """Stability after a wrong answer on another day ("again")."""
    long_term = w[11] * difficulty ** (-w[12]) * ((stability + 1) ** w[13] - 1) * math.exp(w[14] * (1 - recall))
    short_term = stability / math.exp(w[17] * w[18])
    return max(MIN_STABILITY, min(long_term, short_term))


def same_day_stability(stability, rating, w=DEFAULT_PARAMETERS):
    """Stability after a review on the same day as the previous one."""
    change = math.exp(w[17] * (rating - 3 + w[18])) * stability ** (-w[19])
    if rating >= GOOD:
        change = max(change, 1.0)
    return max(MIN_STABILITY, stability * change)


def review(memory, correct, when, w=DEFAULT_PARAMETERS):
    """The memory state after one answer (``memory`` None for the first) at ``when``."""
    rating = GOOD if correct else AGAIN
    if memory is None:
        return Memory(initial_stability(rating, w), initial_difficulty(rating, w), when)
    days = elapsed_days(memory.last_review, when)
    if days < 1:
        stability = same_day_stability(memory.stability, rating, w)
    else:
        recall = retrievability(days, memory.stability, w)
        if correct:
            stability = recall_stability(memory.difficulty, memory.stability, recall, w)
        else:
            stability = forget_stability(memory.difficulty, memory.stability, recall, w)
    return Memory(stability, next_difficulty(memory.difficulty, rating, w), when, memory.reviews + 1)


def in_order(evidence):
    """``evidence`` (pairs whose first item is the time) by time; answers at the same time keep their recorded order."""
    return sorted(evidence, key=lambda item: item[0])


def elapsed_days(since, now):
    """Whole days from ``since`` to ``now`` (never negative), as FSRS counts them."""
    return max(0, (now - since).days)


def recall_probability(memory, now, w=DEFAULT_PARAMETERS):
    """The probability the skill is still known at ``now`` (whole elapsed days); None before any evidence."""
    if memory is None:
        return None
    return retrievability(elapsed_days(memory.last_review, now), memory.stability, w)


def review_due(memory, retention=DEFAULT_RETENTION, w=DEFAULT_PARAMETERS):
    """When recall is expected to fall to ``retention``; None before any evidence."""
    if memory is None:
        return None
    return memory.last_review + timedelta(days=interval(memory.stability, retention, w))


def _clamp_difficulty(value):
    return min(MAX_DIFFICULTY, max(MIN_DIFFICULTY, value))
