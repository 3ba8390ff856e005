"""
Mastery estimators: how well a learner knows a skill, from their attempt history.

Every estimator takes ``attempts``, a chronological list (oldest first) of outcomes in [0, 1]
(a correct answer is 1.0, an incorrect one 0.0; partial credit lies in between) and returns a
float in [0, 1], or None when there are no attempts yet.

* ``latest``: the most recent outcome.
* ``highest``: the best outcome.
* ``mean``: the plain average.
* ``decaying_average``: Canvas's (standard) decaying average. The first outcome starts the
  average; each later outcome ``a`` moves it to ``weight * a + (1 - weight) * previous``, so the
  latest attempt counts for ``weight`` and everything before it, recursively, for the rest.
  (Canvas's older method, now called "weighted average" there, mixes the latest with the plain
  mean of the earlier outcomes instead.) Canvas's own example: outcomes 1, 2, 3, 4, 5 out of 5
  at 65% give 4.47 out of 5.
* ``n_of_m``: 1.0 once at least ``n`` of the last ``m`` attempts are correct (an outcome of at
  least ``cut``, 1.0 by default); before that, the share of the ``n`` correct answers needed
  that the learner has among the last ``m`` (so 2 of the 3 needed is 0.667).
* ``bkt``: Bayesian Knowledge Tracing (Corbett and Anderson, 1995). Starting from
  ``P(known) = prior``, each outcome first updates the belief by Bayes' rule with the
  guess and slip probabilities, then applies the learning transition
  ``P = P + (1 - P) * learn``. The result is P(known) after the last attempt. Partial credit
  ``o`` is soft evidence: the posterior is ``o * P(known | correct) + (1 - o) * P(known | wrong)``.

* ``recall``: mastery that fades (``forgetting``: FSRS-6 with its published defaults). Each
  attempt is a review, dated: ``attempts`` are ``(when, outcome)`` pairs (ISO text or aware
  datetimes) and the estimate needs ``now``. An outcome of at least 0.5 is a right answer
  ("good"), below it a wrong one ("again"). The value is the probability that the skill is
  still recalled at ``now``; after a miss, until the next right answer, it is 0: the learner
  is still relearning the skill.

``estimate(method, attempts, **params)`` validates the method, the parameters and the attempts
and raises PayloadError naming the bad one; ``explain(method, **params)`` gives a learner-facing
sentence (an ``Explanation``: a ``str`` holding the English text, whose ``render(gettext)``
translates it); ``is_mastered(method, value, threshold=None)`` compares a value with a threshold
on the same 0..1 scale (defaults in ``DEFAULT_THRESHOLDS``: BKT 0.95, n of m 1.0, others 0.8).
"""
import math
from datetime import datetime, timezone

from . import N_, forgetting, is_finite_number
from .payload import PayloadError, as_int, as_number

MAX_N = 100
# Values within this distance of a threshold count as reaching it (floating-point noise).
TOLERANCE = 1e-9


# --- the estimators -----------------------------------------------------------------------

def latest(attempts):
    """The most recent outcome."""
    return _clamp(attempts[-1]) if attempts else None


def highest(attempts):
    """The best outcome."""
    return _clamp(max(attempts)) if attempts else None


def mean(attempts):
    """The plain average of all outcomes."""
    return _clamp(math.fsum(attempts) / len(attempts)) if attempts else None


def decaying_average(attempts, weight=0.65):
    """Canvas's standard decaying average: the latest weighted by ``weight``, the rest recursively by the remainder."""
    if not attempts:
        return None
    value = attempts[0]
    for outcome in attempts[1:]:
        value = weight * outcome + (1 - weight) * value
    return _clamp(value)


def n_of_m(attempts, n, m, cut=1.0):
    """1.0 when at least ``n`` of the last ``m`` outcomes reach ``cut``; otherwise the share of ``n`` reached."""
    if not attempts:
        return None
    correct = sum(1 for outcome in attempts[-m:] if outcome >= cut - TOLERANCE)
    return 1.0 if correct >= n else _clamp(correct / n)


def bkt(attempts, prior=0.3, learn=0.2, guess=0.2, slip=0.1):
    """P(known) after Corbett and Anderson's Bayesian Knowledge Tracing over the attempts."""
    if not attempts:
        return None
    known = prior
    for outcome in attempts:
        posterior = (outcome * _posterior(known, True, guess, slip)
                     + (1 - outcome) * _posterior(known, False, guess, slip))
        known = posterior + (1 - posterior) * learn
    return _clamp(known)


def recall(attempts, now):
    """FSRS-6 probability of recall at ``now`` after dated ``attempts``; 0 while relearning after a miss."""
    if not attempts:
        return None
    evidence = sorted((when, outcome >= 0.5) for when, outcome in attempts)
    if not evidence[-1][1]:
        return 0.0
    return _clamp(forgetting.recall_probability(forgetting.replay(evidence), now))


def _posterior(known, correct, guess, slip):
    """P(known | this answer) by Bayes' rule; unchanged when the model deems the answer impossible."""
    if correct:
        evidence_if_known, evidence_if_not = 1 - slip, guess
    else:
        evidence_if_known, evidence_if_not = slip, 1 - guess
    total = known * evidence_if_known + (1 - known) * evidence_if_not
    if total <= 0:
        return known
    return known * evidence_if_known / total


def _clamp(value):
    return min(1.0, max(0.0, float(value)))


# --- the catalogue --------------------------------------------------------------------------

ESTIMATORS = {
    "latest": N_("Most recent: the result of the latest attempt."),
    "highest": N_("Highest: the best result of any attempt."),
    "mean": N_("Average: the mean of all attempts."),
    "decaying_average": N_("Decaying average: the latest attempt counts for a chosen share, "
                           "the earlier ones for the rest, older ones less and less."),
    "n_of_m": N_("n of the last m: mastered once n of the last m answers are correct."),
    "bkt": N_("Bayesian Knowledge Tracing: the probability that the skill is known, "
              "allowing for guesses, slips and learning along the way."),
    "recall": N_("Recall that fades (FSRS-6): the probability that the skill is still remembered today, "
                 "which falls with time since the last right answer and falls more slowly after spaced practice."),
}

FUNCTIONS = {
    "latest": latest, "highest": highest, "mean": mean,
    "decaying_average": decaying_average, "n_of_m": n_of_m, "bkt": bkt, "recall": recall,
}
# Estimators whose attempts are dated ``(when, outcome)`` pairs and which need the current time.
TIMED = frozenset({"recall"})

# Parameters each method accepts, with their defaults.
PARAMS = {
    "latest": {}, "highest": {}, "mean": {},
    "decaying_average": {"weight": 0.65},
    "n_of_m": {"n": 3, "m": 5, "cut": 1.0},
    "bkt": {"prior": 0.3, "learn": 0.2, "guess": 0.2, "slip": 0.1},
    "recall": {},
}

DEFAULT_THRESHOLDS = {"bkt": 0.95, "n_of_m": 1.0}
DEFAULT_THRESHOLD = 0.8

EXPLANATIONS = {
    "latest": N_("Only your most recent attempt counts."),
    "highest": N_("Your best attempt counts."),
    "mean": N_("All your attempts count equally: your result is their average."),
    "decaying_average": N_("Your most recent attempt counts for %(percent)s%% and your earlier attempts "
                           "for the rest, with older ones counting less and less."),
    "n_of_m": N_("You need %(n)s correct answers among your last %(m)s."),
    "bkt": N_("Your answers give an estimate of how likely it is that you know this skill, "
              "allowing for lucky guesses and small slips; it rises as you answer correctly."),
    "recall": N_("Your answers give an estimate of how likely you are to remember this skill today: "
                 "it fades as time passes and lasts longer each time you answer right after a gap."),
}


class Explanation(str):
    """
    A learner-facing sentence. As a ``str`` it is the English text; ``message`` (marked with
    N_) and ``params`` let the block translate it: ``render(self._)``.
    """

    def __new__(cls, message, params):
        obj = super().__new__(cls, message % params if params else message)
        obj.message = message
        obj.params = params
        return obj

    def render(self, gettext=lambda text: text):
        text = gettext(self.message)  # pylint: disable=translation-of-non-string
        return text % self.params if self.params else text


def check_method(method, field="method"):
    if not isinstance(method, str) or method not in FUNCTIONS:
        raise PayloadError(field, N_("Unknown estimator %(method)s; use one of: %(choices)s."),
                           method=str(method)[:40], choices=", ".join(FUNCTIONS))
    return method


def validate_params(method, field="params", method_field="method", **params):
    """The method's parameters with defaults filled in; PayloadError naming the first bad one."""
    check_method(method, method_field)
    allowed = PARAMS[method]
    for name in params:
        if name not in allowed:
            raise PayloadError(f"{field}.{name}"[:80], N_("The estimator %(method)s has no parameter %(name)s."),
                               method=method, name=name[:40])
    values = dict(allowed, **params)
    if method == "decaying_average":
        weight = as_number(values["weight"], f"{field}.weight", 0, 1)
        if weight <= 0:
            raise PayloadError(f"{field}.weight", N_("The weight must be more than 0 and at most 1."))
        values["weight"] = float(weight)
    elif method == "n_of_m":
        values["m"] = as_int(values["m"], f"{field}.m", 1, MAX_N)
        values["n"] = as_int(values["n"], f"{field}.n", 1, MAX_N)
        if values["n"] > values["m"]:
            raise PayloadError(f"{field}.n", N_("n cannot be more than m."))
        cut = as_number(values["cut"], f"{field}.cut", 0, 1)
        if cut <= 0:
            raise PayloadError(f"{field}.cut", N_("The mark for a correct answer must be more than 0 and at most 1."))
        values["cut"] = float(cut)
    elif method == "bkt":
        for name in ("prior", "learn", "guess", "slip"):
            values[name] = float(as_number(values[name], f"{field}.{name}", 0, 1))
        if values["guess"] + values["slip"] >= 1:
            raise PayloadError(f"{field}.guess", N_("Guess and slip together must be less than 1."))
    return values


def check_attempts(attempts, field="attempts"):
    """A list of finite outcomes in [0, 1]."""
    if not isinstance(attempts, (list, tuple)):
        raise PayloadError(field, N_("Expected a list."))
    for index, outcome in enumerate(attempts):
        as_number(outcome, f"{field}[{index}]", 0, 1)
    return list(attempts)


def check_dated_attempts(attempts, field="attempts"):
    """A list of ``(when, outcome)``: ``when`` ISO text or an aware datetime, ``outcome`` in [0, 1]."""
    if not isinstance(attempts, (list, tuple)):
        raise PayloadError(field, N_("Expected a list."))
    checked = []
    for index, item in enumerate(attempts):
        if not isinstance(item, (list, tuple)) or len(item) != 2:
            raise PayloadError(f"{field}[{index}]", N_("Expected a date and a result."))
        when = _as_datetime(item[0])
        if when is None:
            raise PayloadError(f"{field}[{index}]", N_("Expected a date and a result."))
        checked.append((when, float(as_number(item[1], f"{field}[{index}]", 0, 1))))
    return checked


def _as_datetime(value):
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    if not isinstance(value, datetime) or value.tzinfo is None:
        return None
    return value


def estimate(method, attempts, now=None, **params):
    """
    Run ``method`` over ``attempts`` with validated ``params``; None when there are no attempts.
    Timed methods (``TIMED``) take dated attempts and ``now`` (an aware datetime; default: the clock).
    """
    values = validate_params(method, **params)
    if method in TIMED:
        return FUNCTIONS[method](check_dated_attempts(attempts), now or datetime.now(timezone.utc))
    return FUNCTIONS[method](check_attempts(attempts), **values)


def explain(method, **params):
    """One learner-facing sentence saying how ``method`` (with these params) judges mastery."""
    values = validate_params(method, **params)
    if method == "decaying_average":
        return Explanation(EXPLANATIONS[method], {"percent": _percent(values["weight"])})
    if method == "n_of_m":
        return Explanation(EXPLANATIONS[method], {"n": values["n"], "m": values["m"]})
    return Explanation(EXPLANATIONS[method], {})


def default_threshold(method):
    check_method(method)
    return DEFAULT_THRESHOLDS.get(method, DEFAULT_THRESHOLD)


def is_mastered(method, value, threshold=None):
    """Whether ``value`` (0..1, or None before any attempt) reaches ``threshold`` (0..1; default per method)."""
    if threshold is None:
        threshold = default_threshold(method)
    else:
        check_method(method)
        as_number(threshold, "threshold", 0, 1)
    if not is_finite_number(value):
        return False
    return value >= threshold - TOLERANCE


def _percent(fraction):
    """A share as a short percentage string: 0.65 -> "65", 0.125 -> "12.5"."""
    text = f"{fraction * 100:.1f}"
    return text[:-2] if text.endswith(".0") else text
