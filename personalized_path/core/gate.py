"""
Mastery gate: conditions, the ALL/ANY rule, score-range routing and the author's settings.

The block reads each condition's current value from the source blocks (through the runtime,
never from the client) and hands the readings to ``evaluate``; everything here is pure.

Values are percentages (0..100) for score sources and skills (a BKT probability of 0.95 is
95), a mean level for a self-assessment condition, and True/False for a completed choice board
or goals set. A condition whose value could not be read is not met and carries a message.
"""
import sys
from dataclasses import dataclass, field, replace

from . import N_, is_finite_number, percent_text
from .mastery import meets
from .payload import (PayloadError, authored_item, authored_items, as_list, as_number, as_object, as_text,
                      require)
from .state import FLAG, TEXT, Either, ListOf, MapOf, Number, OneOf, Optional, Record, StateShape, Whole

MODES = ("all", "any")
MAX_ROUTES = 3
MAX_SOURCES = 250
MAX_SKILLS = 50
ROUTE_LABEL_MAX_CHARS = 60
EVERYONE = "everyone"
STATE_VERSION = 2

# Condition kinds.
SCORE = "score"
SKILL = "skill"
SELF_LEVEL = "self_assessment"
BOARD = "choice_board"
GOALS = "goals"
NUMERIC_KINDS = (SCORE, SKILL)


@dataclass(frozen=True)
class Condition:
    """One requirement of the gate's rule."""

    kind: str
    key: str                 # a source's usage id, a skill id, or the linked block's usage id
    threshold: float = None  # percent for SCORE/SKILL, mean level for SELF_LEVEL, None for yes/no
    skill: str = ""          # the skill a SELF_LEVEL condition looks at

    @property
    def numeric(self):
        return self.kind in NUMERIC_KINDS


@dataclass(frozen=True)
class Reading:
    """What the server read for a condition: a value, or a problem explaining why there is none."""

    value: object = None
    problem: str = None      # an N_-marked message
    params: dict = field(default_factory=dict)
    attempts_left: int = None
    link: str = None
    label: str = ""
    placed: bool = False     # a placement check placed the learner as knowing this skill already
    mastered: bool = None    # SKILL: the skill's decision (threshold and minimum of evidence), None if not decided
    needed: int = None       # SKILL: right answers still needed (mastery.Decision.needed)


@dataclass(frozen=True)
class Result:
    condition: Condition
    reading: Reading
    met: bool


@dataclass(frozen=True)
class Evaluation:
    """The rule applied to one learner's readings: open or not, the route score and route, faded skills."""

    unlocked: bool
    results: tuple
    score: float             # mean of the score and skill values (missing ones count as 0), or None
    route: dict              # the learner's route when unlocked and routing is on, else None
    refresh: tuple = ()      # (skill, recall percent) that faded below the gate's refresh level
    exception: dict = None   # the instructor's exception that decided unlocked/route, if any


def conditions_of(settings):
    """
    The rule's conditions from ``settings``: anything with the gate's setting names as attributes
    (the block, or the values Studio is about to save).
    """
    thresholds = source_thresholds_for(settings.sources, settings.source_thresholds, settings.threshold)
    found = [Condition(SCORE, str(ref), threshold) for ref, threshold in zip(settings.sources, thresholds)]
    for item in settings.skills if isinstance(settings.skills, list) else ():
        if isinstance(item, dict):
            found.append(Condition(SKILL, str(item.get("skill")), item.get("threshold"), skill=str(item.get("skill"))))
    if settings.self_assessment:
        found.append(Condition(SELF_LEVEL, str(settings.self_assessment), settings.self_assessment_level,
                               skill=settings.self_assessment_skill))
    if settings.choice_board:
        found.append(Condition(BOARD, str(settings.choice_board)))
    if settings.goal_reflection:
        found.append(Condition(GOALS, str(settings.goal_reflection)))
    return found


def condition_key(condition):
    """A condition's key in the stored evaluation and the reports: ``score:<source>``, ``skill:<skill>``..."""
    return f"{condition.kind}:{condition.skill or condition.key}" if condition.kind != SCORE \
        else f"score:{condition.key}"


def is_met(condition, reading):
    """Whether one reading satisfies its condition."""
    value = reading.value
    if reading.problem is None and reading.placed and condition.kind == SKILL:
        return True
    if reading.problem is not None or value is None:
        return False
    if condition.kind in (BOARD, GOALS):
        return value is True
    if condition.kind == SKILL and reading.mastered is not None:
        return reading.mastered
    threshold = clean_number(condition.threshold)
    return clean_number(value) is not None and threshold is not None and meets(value, threshold, 100)


def clean_number(value, low=None, high=None):
    """A finite number within bounds, or None (booleans, NaN and out-of-range values are refused)."""
    if not is_finite_number(value) or abs(value) > sys.float_info.max:
        return None
    if (low is not None and value < low) or (high is not None and value > high):
        return None
    return float(value)


def percent_from_score(earned, possible):
    """A (raw_earned, raw_possible) pair as a percentage, or None when it is unusable."""
    earned, possible = clean_number(earned, low=0), clean_number(possible, low=0)
    if earned is None or possible is None or possible == 0 or earned > possible * (1 + 1e-9):
        return None
    return min(100.0, 100.0 * earned / possible)


def evaluate(mode, results, routes=()):
    """The rule over ``results`` (a list of Result): unlocked or not, the route score and route."""
    results = tuple(results)
    if not results:
        unlocked = False
    elif mode == "any":
        unlocked = any(result.met for result in results)
    else:
        unlocked = all(result.met for result in results)
    numeric = []
    for result in results:
        if result.condition.numeric:
            value = clean_number(result.reading.value) if result.reading.problem is None else None
            numeric.append(value if value is not None else 0.0)
    score = round(sum(numeric) / len(numeric), 2) if numeric else None
    route = route_for(routes, score) if unlocked and routes and score is not None else None
    return Evaluation(unlocked=unlocked, results=results, score=score, route=route)


def needing_refresh(recall_by_skill, below):
    """``(skill, recall percent)`` of every skill whose recall (0..1, None: no evidence) is under ``below`` percent."""
    if not below:
        return ()
    return tuple((skill, round(recall * 100, 2)) for skill, recall in recall_by_skill.items()
                 if recall is not None and not meets(recall * 100, below, 100))


def with_refresh(evaluation, faded):
    """``evaluation`` locked again when the rule holds but skills have faded (the lock card says which)."""
    if not faded or not evaluation.unlocked:
        return evaluation
    return Evaluation(unlocked=False, results=evaluation.results, score=evaluation.score, route=None,
                      refresh=tuple(faded))


def usable_routes(routes):
    """The author's routes when they are valid, otherwise none (routing is then off)."""
    return routes if isinstance(routes, list) and not validate_routes(routes) else []


def route_for(routes, score):
    """The route whose range holds ``score``: [min, max), with the top range including 100."""
    ordered = sorted(routes, key=lambda route: route["min"])
    for index, route in enumerate(ordered):
        last = index == len(ordered) - 1
        if route["min"] <= score < route["max"] or (last and score == route["max"]):
            return route
    return None


# What a child's route reads as when its stored assignment is not a route id (a hand edit, an old
# shape): a route nobody is on, so the child stays closed, as for a route that no longer exists.
UNREADABLE_ROUTE = "\u0000unreadable"


def child_route(child_routes, child_key):
    """The route id a child is shown on: EVERYONE when unassigned, UNREADABLE_ROUTE when garbled."""
    route_id = child_routes.get(child_key, EVERYONE) if isinstance(child_routes, dict) else EVERYONE
    return route_id if isinstance(route_id, str) else UNREADABLE_ROUTE


def visible_children(child_keys, child_routes, route):
    """The children a learner on ``route`` sees: their route's plus those for everyone."""
    route_id = route["id"] if route else None
    return [key for key in child_keys if child_route(child_routes, key) in (EVERYONE, route_id)]


# --- authoring -----------------------------------------------------------------------------

def validate_threshold(value, where):
    as_number(value, where)
    if not 0 <= value <= 100:
        raise PayloadError(where, N_("A threshold must be from 0 to 100; %(value)s is outside."), value=value)
    return value


def validate_routes(routes):
    """PayloadErrors for the routing ranges: at most three, covering 0 to 100 with no gap or overlap."""
    problems = []
    try:
        as_list(routes, "routes")
        if len(routes) > MAX_ROUTES:
            raise PayloadError("routes", N_("At most %(limit)s routes are allowed."), limit=MAX_ROUTES)
        seen = set()
        for index, route in enumerate(routes):
            where = f"routes[{index}]"
            route_id = authored_item(route, where, ("id", "label", "min", "max"), seen)
            if route_id == EVERYONE:
                raise PayloadError(f"{where}.id", N_("The id %(id)s is reserved for children everyone sees."),
                                   id=EVERYONE)
            as_text(require(route, "label", where), f"{where}.label", ROUTE_LABEL_MAX_CHARS, min_chars=1,
                    multiline=False)
            low = validate_threshold(require(route, "min", where), f"{where}.min")
            high = validate_threshold(require(route, "max", where), f"{where}.max")
            if low >= high:
                raise PayloadError(where, N_("A range must start below where it ends (%(low)s to %(high)s)."),
                                   low=low, high=high)
    except PayloadError as error:
        return [error]
    ordered = sorted(routes, key=lambda route: (route["min"], route["max"]))
    if ordered and ordered[0]["min"] != 0:
        problems.append(PayloadError("routes", N_("The ranges leave a gap from 0 to %(high)s."),
                                     high=ordered[0]["min"]))
    for before, after in zip(ordered, ordered[1:]):
        if after["min"] < before["max"]:
            problems.append(PayloadError("routes", N_("The ranges %(first)s and %(second)s overlap."),
                                         first=before["id"], second=after["id"]))
        elif after["min"] > before["max"]:
            problems.append(PayloadError("routes", N_("The ranges leave a gap from %(low)s to %(high)s."),
                                         low=before["max"], high=after["min"]))
    if ordered and ordered[-1]["max"] != 100:
        problems.append(PayloadError("routes", N_("The ranges leave a gap from %(low)s to 100."),
                                     low=ordered[-1]["max"]))
    return problems


def validate_child_routes(child_routes, child_keys, routes):
    """PayloadErrors for the child-to-route assignments."""
    try:
        as_object(child_routes, "child_routes")
    except PayloadError as error:
        return [error]
    route_ids = {route.get("id") for route in routes if isinstance(route, dict) and isinstance(route.get("id"), str)}
    route_ids.add(EVERYONE)
    problems = []
    for key, route_id in child_routes.items():
        if not isinstance(route_id, str):
            problems.append(PayloadError(f"child_routes.{key}"[:80], N_("Expected a route id in double quotes.")))
        elif key not in child_keys:
            problems.append(PayloadError("child_routes", N_("%(child)s is not a child of this gate."), child=key))
        elif route_id not in route_ids:
            problems.append(PayloadError("child_routes", N_("%(child)s is assigned to the unknown route %(route)s."),
                                         child=key, route=route_id))
    if child_routes and not routes:
        problems.append(PayloadError("child_routes", N_("Children are assigned to routes, but no routes are defined.")))
    return problems


def validate_skills(skills):
    """PayloadErrors for the skill conditions: [{"skill": "id", "threshold": 0..100}]."""
    try:
        for where, item in authored_items(skills, "skills", ("skill", "threshold"), max_items=MAX_SKILLS,
                                          id_key="skill", twice=N_("The skill %(id)s is listed twice.")):
            validate_threshold(require(item, "threshold", where), f"{where}.threshold")
    except PayloadError as error:
        return [error]
    return []


SOURCE_PROBLEMS = {
    "missing": N_("%(source)s does not exist in this course."),
    "unscorable": N_("%(source)s has no score, so it cannot be a source."),
    "inside": N_("%(source)s is inside this gate; a gate cannot depend on its own content."),
    "not_skill_check": N_("%(source)s is not a skill check, so it has no skill evidence."),
}


def validate_sources(field_name, statuses):
    """PayloadErrors for sources whose status (from the block's lookup) is not "ok"."""
    return [PayloadError(field_name, SOURCE_PROBLEMS[status], source=source)
            for source, status in statuses if status != "ok"]


def validate_thresholds(source_thresholds, source_count, threshold):
    problems = []
    try:
        validate_threshold(threshold, "threshold")
    except PayloadError as error:
        problems.append(error)
    try:
        as_list(source_thresholds, "source_thresholds")
        if source_thresholds and len(source_thresholds) != source_count:
            raise PayloadError("source_thresholds", N_(
                "Give one threshold per source (%(count)s), or none to use the default threshold."),
                count=source_count)
        for index, value in enumerate(source_thresholds):
            validate_threshold(value, f"source_thresholds[{index}]")
    except PayloadError as error:
        problems.append(error)
    return problems


def source_thresholds_for(sources, source_thresholds, threshold):
    """Each source's threshold: its own when the list matches, otherwise the default."""
    if isinstance(source_thresholds, list) and len(source_thresholds) == len(sources):
        return [clean_number(value, 0, 100) if clean_number(value, 0, 100) is not None else threshold
                for value in source_thresholds]
    return [threshold] * len(sources)


# --- learner state: the latest evaluation, kept for reports and events ------------------------

def default_state():
    # "round": the gate's unlock round in which this learner unlocked (None while locked).
    return {"version": STATE_VERSION, "unlocked": False, "unlocked_at": None, "route": None,
            "values": {}, "evaluated_at": None, "reached_at": None, "round": None}


STORED_SHAPE = Record(required={
    "unlocked": FLAG, "values": MapOf(Optional(Either(FLAG, Number()))), "unlocked_at": Optional(TEXT),
    "route": Optional(TEXT), "evaluated_at": Optional(TEXT), "round": Optional(Whole()),
}, optional={"reached_at": Optional(TEXT)})


def _check_state(state):
    # Added later: states stored before then count from their last evaluation.
    state.setdefault("reached_at", state["evaluated_at"])


def _add_round(state):
    """Version 1 had no rounds: whoever had unlocked did so in the first round."""
    return dict(state, round=0 if state.get("unlocked_at") else None)


STATE_SHAPE = StateShape(version=STATE_VERSION, default=default_state, shape=STORED_SHAPE, check=_check_state,
                         migrations={1: _add_round})


def keep_unlocked(evaluation, state, current_round, routes):
    """
    Unlocks stick: a learner who unlocked in the gate's current round stays unlocked even when the
    rule, or their values, would lock them now. Only a new round (the author's "re-evaluate
    everyone") applies the rule to them again. The route still follows the current score.
    """
    if evaluation.unlocked or not state["unlocked_at"] or state["round"] != current_round:
        return evaluation
    route = route_for(routes, evaluation.score) if routes and evaluation.score is not None else None
    if route is None:
        route = next((item for item in routes if item["id"] == state["route"]), None)
    return replace(evaluation, unlocked=True, route=route)


def snapshot(state, evaluation, keys, when, current_round=0):
    """The new stored state after an evaluation (None when nothing but the time would change)."""
    values = {key: _storable(result.reading.value) for key, result in zip(keys, evaluation.results)}
    route = evaluation.route["id"] if evaluation.route else None
    unlock_round = current_round if evaluation.unlocked else None
    if state["evaluated_at"] and state["reached_at"] and (
            state["unlocked"], state["route"], state["values"], state["round"]) == (
            evaluation.unlocked, route, values, unlock_round):
        return None
    unlocked_at = state["unlocked_at"] if state["round"] == current_round else None
    return {"version": STATE_VERSION, "unlocked": evaluation.unlocked, "route": route, "values": values,
            "unlocked_at": unlocked_at or (when if evaluation.unlocked else None), "evaluated_at": when,
            "reached_at": state["reached_at"] or when, "round": unlock_round}


def _storable(value):
    if isinstance(value, bool) or value is None:
        return value
    number = clean_number(value)
    return round(number, 2) if number is not None else None


# --- instructor exceptions: kept in the learner's own gate state, so the gate stays the one authority ----

UNLOCK, ROUTE, RELOCK, CLEAR = "unlock", "route", "relock", "clear"
EXCEPTION_ACTIONS = (UNLOCK, ROUTE, RELOCK, CLEAR)
REASON_MIN_CHARS = 3
REASON_MAX_CHARS = 500
REASON_MAX_BYTES = 1500
EXCEPTION_HISTORY_CAP = 10


def parse_exception(data, route_ids):
    """``(action, route, reason)`` from a staff request; PayloadError naming the bad key."""
    action = require(data, "action")
    if action not in EXCEPTION_ACTIONS:
        raise PayloadError("action", N_("Unknown action %(value)s; use one of: %(choices)s."),
                           value=str(action)[:40], choices=", ".join(EXCEPTION_ACTIONS))
    route = data.get("route")
    if action == ROUTE:
        if not isinstance(route, str) or route not in route_ids:
            raise PayloadError("route", N_("This gate has no route %(route)s."), route=str(route)[:60])
    elif route is not None:
        raise PayloadError("route", N_("Only moving a learner to a route takes a route."))
    reason = as_text(require(data, "reason"), "reason", REASON_MAX_CHARS, REASON_MAX_BYTES,
                     min_chars=REASON_MIN_CHARS)
    return action, route, reason.strip()


def default_exceptions():
    return {"version": 1, "current": None, "history": []}


EXCEPTION_ENTRY = Record(required={"action": OneOf(*EXCEPTION_ACTIONS), "reason": TEXT, "by": TEXT, "at": TEXT},
                         optional={"route": Optional(TEXT)})
EXCEPTIONS_STORED = Record(required={"current": Optional(EXCEPTION_ENTRY), "history": ListOf(EXCEPTION_ENTRY)})


EXCEPTION_SHAPE = StateShape(version=1, default=default_exceptions, shape=EXCEPTIONS_STORED)


def record_exception(state, *, action, route, reason, by, when):
    """The new stored exceptions: the current one (none after "clear") and the audit trail (who, when, why)."""
    entry = {"action": action, "route": route, "reason": reason, "by": by, "at": when}
    return {"version": 1, "current": None if action == CLEAR else entry,
            "history": (state["history"] + [entry])[-EXCEPTION_HISTORY_CAP:]}


def exception_outcome(current, unlocked, route, routes, score=None):
    """
    ``(unlocked, route)`` once the instructor's current exception applies: "relock" locks, "unlock"
    opens (routed by the score when there is one), "route" opens on the chosen route.
    """
    if not current:
        return unlocked, route
    if current["action"] == RELOCK:
        return False, None
    by_id = {item["id"]: item for item in routes}
    if current["action"] == ROUTE and current.get("route") in by_id:
        return True, by_id[current["route"]]
    if route is None and routes and score is not None:
        route = route_for(routes, score)
    return True, route


def with_exception(evaluation, current, routes):
    """The evaluation as the learner gets it once the instructor's exception applies."""
    if not current:
        return evaluation
    unlocked, route = exception_outcome(current, evaluation.unlocked, evaluation.route, routes, evaluation.score)
    return replace(evaluation, unlocked=unlocked, route=route, exception=current,
                   refresh=() if unlocked else evaluation.refresh)


# --- words -----------------------------------------------------------------------------------

DESCRIPTIONS = {
    SCORE: N_("Score at least %(threshold)s%% on “%(source)s”."),
    SKILL: N_("Reach at least %(threshold)s%% mastery of the skill “%(skill)s”."),
    SELF_LEVEL: N_("Rate yourself at level %(threshold)s or higher for “%(skill)s” in “%(source)s”."),
    BOARD: N_("Complete the choice board “%(source)s”."),
    GOALS: N_("Set your goals in “%(source)s”."),
}
RULES = {
    "all": N_("Meet every condition below."),
    "any": N_("Meet at least one of the conditions below."),
}


def describe(condition, label):
    """The condition in words: an N_-marked message and its parameters."""
    return DESCRIPTIONS[condition.kind], {
        "threshold": number_text(condition.threshold) if condition.kind == SELF_LEVEL else percent_text(
            condition.threshold), "source": label, "skill": condition.skill or condition.key,
    }


def number_text(value):
    """80.0 -> "80", 66.666 -> "66.67"; None -> ""."""
    number = clean_number(value)
    if number is None:
        return ""
    text = f"{number:.2f}".rstrip("0").rstrip(".")
    return text or "0"
