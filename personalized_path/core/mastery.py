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
  still recalled at ``now``, in whole elapsed days as FSRS counts them. A miss never raises it:
  after misses, until the next right answer, it is the lowest of the recall the model gives
  now and the recall it would give without each of those misses (with no right answer at all,
  0). FSRS's own update after "again" assumes the learner has relearned the skill on the spot.

One evidence history, one decision (``decide``): every block that decides about a skill (the
gate, the skill's value on the lock card, the learning plan, "review due") passes the learner's
dated answers ``(when, outcome)`` for the skill, from every check, to ``decide``. It puts them in
the one order (by time; answers given at the same time keep their recorded order), runs the
estimator and applies the minimum of evidence:

* every estimator needs ``min_right`` right answers among the latest ``min_right + 2``
  (default 6 of the last 8: a learner guessing among 3 choices gets there 2% of the time, one
  who knows the skill and slips 5% of the time 99%), whatever the threshold. Settings an author
  saved before ``min_right`` existed (any parameter given, ``min_right`` not) keep their old
  meaning: no minimum.

``Decision.needed`` is how many more right answers in a row would make the skill mastered (what
the lock card says), None when more than ``MAX_NEEDED`` would.

``estimate(method, attempts, **params)`` validates the method, the parameters and the attempts
and raises PayloadError naming the bad one; ``explain(method, **params)`` gives a learner-facing
sentence (an ``Explanation``: a ``str`` holding the English text, whose ``render(gettext)``
translates it); ``is_mastered(method, value, threshold=None)`` compares a value with a threshold
on the same 0..1 scale (defaults in ``DEFAULT_THRESHOLDS``: BKT 0.95, n of m 1.0, mean 0.75,
decaying average 0.55, others 0.8; each at most what the minimum of evidence gives).
"""
import math
from dataclasses import dataclass
from datetime import datetime, timezone

from . import N_, forgetting, is_finite_number
from .payload import PayloadError, as_int, as_number

MAX_N = 100
# A value this share of its scale below a threshold still reaches it (floating-point noise).
TOLERANCE = 1e-9


def meets(value, threshold, scale=1):
    """
    Whether ``value`` reaches ``threshold``, both on a scale from 0 to ``scale`` (1 for shares and
    outcomes, 100 for percentages): the one comparison of a score or mastery with what it needs.
    """
    return value >= threshold - TOLERANCE * scale


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
    correct = sum(1 for outcome in attempts[-m:] if meets(outcome, cut))
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
    """FSRS-6 probability of recall at ``now`` after dated ``attempts``; a miss never raises it."""
    chain = _recall_chain(attempts)
    if chain is None:
        return None
    values = [0.0 if memory is None else forgetting.recall_probability(memory, now) for memory in chain]
    return _clamp(min(values))


def _recall_chain(attempts):
    """
    The memory states whose recall bounds the value: the state after every answer since the
    last right one (the trailing misses), and the state just before the first of those misses
    (None: no evidence before them, recall 0). None without attempts.
    """
    if not attempts:
        return None
    memory, chain = None, []
    for when, outcome in forgetting.in_order(attempts):
        correct = outcome >= 0.5
        chain = [] if correct else (chain or [memory])
        memory = forgetting.review(memory, correct, when)
    return chain + [memory]


def review_due(attempts, retention=forgetting.DEFAULT_RETENTION):
    """When ``recall`` is expected to fall to ``retention`` after dated ``attempts``; None without any."""
    chain = _recall_chain(attempts)
    if chain is None:
        return None
    first = forgetting.in_order(attempts)[0][0]
    return min(first if memory is None else forgetting.review_due(memory, retention) for memory in chain)


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
# The minimum of evidence of the estimators that have none of their own: right answers among the
# latest ``min_right + 2``. Chosen from benchmarks/bench_mastery_decisions.py.
MIN_RIGHT = 6
GUARDED = ("latest", "highest", "mean", "decaying_average", "n_of_m", "bkt", "recall")
MAX_NEEDED = 20

# Parameters each method accepts, with their defaults (chosen from the benchmark: the estimator
# functions' own defaults are the published ones the reference tests check).
PARAMS = {
    "latest": {"min_right": MIN_RIGHT}, "highest": {"min_right": MIN_RIGHT}, "mean": {"min_right": MIN_RIGHT},
    "decaying_average": {"weight": 0.2, "min_right": MIN_RIGHT},
    "n_of_m": {"n": 6, "m": 8, "cut": 1.0, "min_right": MIN_RIGHT},
    "bkt": {"prior": 0.3, "learn": 0.2, "guess": 0.3, "slip": 0.1, "min_right": MIN_RIGHT},
    "recall": {"min_right": MIN_RIGHT},
}

# Each at most what 6 right answers of 8 (the minimum) give, so the minimum decides for a learner who slips.
DEFAULT_THRESHOLDS = {"bkt": 0.95, "n_of_m": 1.0, "mean": 0.75, "decaying_average": 0.55}
DEFAULT_THRESHOLD = 0.8

MINIMUM_EXPLANATION = N_("You also need %(n)s correct answers among your last %(m)s.")
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

    def __new__(cls, message, params, also=None):
        text = message % params if params else message
        obj = super().__new__(cls, f"{text} {also}" if also else text)
        obj.message = message
        obj.params = params
        obj.also = also  # a second sentence (the minimum of evidence), or None
        return obj

    def render(self, gettext=lambda text: text):
        text = gettext(self.message)  # pylint: disable=translation-of-non-string
        text = text % self.params if self.params else text
        return f"{text} {self.also.render(gettext)}" if self.also else text


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
    if "min_right" in allowed:
        # Settings saved before the minimum existed keep their meaning: no minimum.
        values["min_right"] = as_int(params.get("min_right", 0 if params else MIN_RIGHT),
                                     f"{field}.min_right", 0, MAX_N)
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
    return _run(method, check_attempts(attempts), values)


def _run(method, outcomes, values):
    """The estimator over undated ``outcomes`` with validated ``values`` (the minimum is not its parameter)."""
    return FUNCTIONS[method](outcomes, **{name: value for name, value in values.items() if name != "min_right"})


@dataclass(frozen=True)
class Decision:
    """What one evidence history says about a skill: the value shown, mastered or not, and what is missing."""

    value: float = None      # the estimator's value, 0..1; None without evidence
    mastered: bool = False
    needed: int = None       # right answers in a row still needed (0 once mastered); None: more than MAX_NEEDED
    answers: int = 0
    right: int = 0


def history(rows):
    """Dated answers ``(when, outcome)`` (ISO text or aware datetimes) checked and put in the one order."""
    return forgetting.in_order(check_dated_attempts(rows))


def decide(method, rows, now=None, threshold=None, **params):
    """
    The decision about one skill from its whole evidence history ``rows`` (dated answers from
    every check): ``estimate``'s value, the threshold (0..1; default per method) and the minimum
    of evidence. PayloadError naming a bad setting or answer.
    """
    values = validate_params(method, **params)
    threshold = default_threshold(method) if threshold is None else float(as_number(threshold, "threshold", 0, 1))
    now = now or datetime.now(timezone.utc)
    answers = history(rows)
    value = _value(method, answers, now, values)
    mastered = _mastered(method, answers, now, values, threshold)
    needed = 0 if mastered else next(
        (count for count in range(1, MAX_NEEDED + 1)
         if _mastered(method, answers + [(now, 1.0)] * count, now, values, threshold)), None)
    return Decision(value=value, mastered=mastered, needed=needed, answers=len(answers),
                    right=sum(1 for _, outcome in answers if meets(outcome, 1)))


def _value(method, answers, now, values):
    if method in TIMED:
        return FUNCTIONS[method](answers, now)
    return _run(method, [outcome for _, outcome in answers], values)


def _mastered(method, answers, now, values, threshold):
    if not is_mastered(method, _value(method, answers, now, values), threshold):
        return False
    least = values.get("min_right", 0)
    recent = answers[-(least + 2):] if least else ()
    return sum(1 for _, outcome in recent if meets(outcome, 1)) >= least


def explain(method, **params):
    """One learner-facing sentence saying how ``method`` (with these params) judges mastery."""
    values = validate_params(method, **params)
    least = values.get("min_right", 0)
    implied = method == "n_of_m" and values["n"] >= least and values["m"] <= least + 2
    also = Explanation(MINIMUM_EXPLANATION, {"n": least, "m": least + 2}) if least and not implied else None
    if method == "decaying_average":
        return Explanation(EXPLANATIONS[method], {"percent": _percent(values["weight"])}, also)
    if method == "n_of_m":
        return Explanation(EXPLANATIONS[method], {"n": values["n"], "m": values["m"]}, also)
    return Explanation(EXPLANATIONS[method], {}, also)


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
    return meets(value, threshold)


def _percent(fraction):
    """A share as a short percentage string: 0.65 -> "65", 0.125 -> "12.5"."""
    text = f"{fraction * 100:.1f}"
    return text[:-2] if text.endswith(".0") else text


def merged_evidence(found, placements):
    """
    One evidence history per skill from several skill checks: ``found`` is each check's
    ``{skill: dated answers}``, ``placements`` each check's ``{skill: placement row}``. Returns
    ``({skill: answers from every check}, {skill: placed as mastered by any check})``.
    """
    histories, placed = {}, {}
    for rows_by_skill in found:
        for skill, rows in rows_by_skill.items():
            histories.setdefault(skill, []).extend(rows)
    for rows_by_skill in placements:
        for skill, row in rows_by_skill.items():
            placed[skill] = placed.get(skill, False) or bool(isinstance(row, dict) and row.get("mastered"))
    return histories, placed
