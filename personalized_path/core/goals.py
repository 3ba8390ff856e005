"""
Goal reflection: long- and short-term goals with quality aids, dated check-ins and a timeline.

Goals live in slots: ``long`` for the long-term goal and ``short-1`` ... ``short-N`` for the
author's short-term prompts. Every write (setting or revising goals, a check-in) raises the
state's ``revision``; a write based on an older revision is a conflict (a second tab), which
the block answers with 409. The timeline keeps every version and check-in with its date,
bounded to TIMELINE_CAP entries, while the counters (for grading) keep counting.
"""
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from . import N_
from .payload import PayloadError, as_bool, as_int, as_list, as_object, as_text, only_keys, require
from .state import COUNT, TEXT, ListOf, MapOf, OneOf, Optional, Record, StateShape, Whole, keep_newest

STATE_VERSION = 1
TIMELINE_CAP = 30
MAX_SHORT_TERM = 3
PROMPT_MAX_CHARS = 300
HARD_MAX_CHARS = 2000
MAX_CHECKINS_EXPECTED = 20
MAX_INTERVAL_DAYS = 365
MAX_YEARS_AHEAD = 5
LONG = "long"
SMART = (
    ("S", N_("Specific"), N_("Say exactly what you will do, not only what you hope for.")),
    ("M", N_("Measurable"), N_("Say how you will know that you are making progress.")),
    ("A", N_("Achievable"), N_("Choose something you can do with the time and help you have.")),
    ("R", N_("Relevant"), N_("Connect it to why this course matters to you.")),
    ("T", N_("Time-bound"), N_("Give it a date to aim for.")),
)
SMART_LETTERS = tuple(letter for letter, _name, _hint in SMART)
WOOP = (
    ("woop_wish", N_("Wish: what do you want to accomplish?")),
    ("woop_outcome", N_("Outcome: what would be the best result, and how would it feel?")),
    ("woop_obstacle", N_("Obstacle: what in you might get in the way?")),
    ("woop_plan", N_("Plan: what will you do when that obstacle shows up?")),
)
IF_THEN = (
    ("if_when", N_("If (when this situation comes up)…")),
    ("then_do", N_("…then I will")),
)
PROGRESS = (
    N_("Not started"), N_("Just begun"), N_("About halfway"), N_("Nearly there"), N_("Achieved"),
)
REFLECTION_KEYS = ("helped", "obstacles", "next_step")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Config:
    """The author's settings that the learner-facing logic needs."""

    long_term_prompt: str
    short_term_prompts: tuple
    min_chars: int = 10
    max_chars: int = 1000
    show_smart: bool = True
    show_woop: bool = False
    show_if_then: bool = False

    @property
    def slots(self):
        """``[(goal id, prompt, is_long_term)]`` in display order."""
        return [(LONG, self.long_term_prompt, True)] + [
            (f"short-{number}", prompt, False) for number, prompt in enumerate(self.short_term_prompts, start=1)]

    @property
    def goal_ids(self):
        return [slot[0] for slot in self.slots]

    @property
    def plan_keys(self):
        keys = [key for key, _prompt in WOOP] if self.show_woop else []
        return keys + ([key for key, _prompt in IF_THEN] if self.show_if_then else [])

    @property
    def max_bytes(self):
        return self.max_chars * 3


# --- authoring -----------------------------------------------------------------------------

def validate_config(*, long_term_prompt, short_term_prompts, min_chars, max_chars, checkin_count,
                    checkin_interval_days, grade_checkins, weight):
    """Return a list of PayloadErrors describing everything wrong with the author's settings."""
    checks = (
        lambda: as_text(long_term_prompt, "long_term_prompt", PROMPT_MAX_CHARS, min_chars=1),
        lambda: _validate_prompts(short_term_prompts),
        lambda: as_int(max_chars, "max_chars", 20, HARD_MAX_CHARS),
        lambda: as_int(min_chars, "min_chars", 0, max_chars if isinstance(max_chars, int) else HARD_MAX_CHARS),
        lambda: as_int(checkin_count, "checkin_count", 0, MAX_CHECKINS_EXPECTED),
        lambda: as_int(checkin_interval_days, "checkin_interval_days", 0, MAX_INTERVAL_DAYS),
        lambda: _validate_grading(grade_checkins, weight, checkin_count),
    )
    problems = []
    for check in checks:
        try:
            check()
        except PayloadError as error:
            problems.append(error)
    return problems


def _validate_prompts(prompts):
    as_list(prompts, "short_term_prompts", max_items=MAX_SHORT_TERM)
    if not prompts:
        raise PayloadError("short_term_prompts", N_("Add at least one short-term goal prompt."))
    for index, prompt in enumerate(prompts):
        as_text(prompt, f"short_term_prompts[{index}]", PROMPT_MAX_CHARS, min_chars=1)


def _validate_grading(grade_checkins, weight, checkin_count):
    if isinstance(weight, bool) or not isinstance(weight, (int, float)) or weight < 0:
        raise PayloadError("weight", N_("The weight cannot be negative."))
    if as_bool(grade_checkins, "grade_checkins") and (
            weight <= 0 or not isinstance(checkin_count, int) or checkin_count < 1):
        raise PayloadError("grade_checkins",
                           N_("Graded check-ins need a weight above 0 and at least one expected check-in."))


# --- dates ---------------------------------------------------------------------------------

def latest_target(today):
    """The furthest target date allowed: MAX_YEARS_AHEAD years from today."""
    try:
        return today.replace(year=today.year + MAX_YEARS_AHEAD)
    except ValueError:  # 29 February
        return today.replace(year=today.year + MAX_YEARS_AHEAD, day=28)


def parse_target(value, field, today, stored=None):
    """
    A target date ``YYYY-MM-DD``: a real date, not in the past, at most MAX_YEARS_AHEAD years ahead.

    "The past" allows yesterday (UTC), since a learner west of UTC can still be on that date. An
    unchanged date that was valid when set stays acceptable after it has passed.
    """
    if not isinstance(value, str):
        raise PayloadError(field, N_("Expected a date as text (YYYY-MM-DD)."))
    if not value:
        raise PayloadError(field, N_("Choose a target date."))
    if not _DATE_RE.match(value):
        raise PayloadError(field, N_("Expected a date as YYYY-MM-DD."))
    try:
        chosen = date.fromisoformat(value)
    except ValueError as error:
        raise PayloadError(field, N_("This date does not exist.")) from error
    if value == stored:
        return value
    if chosen < today - timedelta(days=1):
        raise PayloadError(field, N_("The target date is in the past."))
    if chosen > latest_target(today):
        raise PayloadError(field, N_("Choose a target date at most %(years)s years ahead."), years=MAX_YEARS_AHEAD)
    return value


# --- learner input -------------------------------------------------------------------------

def parse_revision(data):
    return as_int(require(data, "revision"), "revision", 0)


def parse_goals(data, config, state, today):
    """Validate a goals payload; return ``(revision, goals, plan)`` or raise PayloadError."""
    only_keys(data, ("revision", "goals", "plan"))
    revision = parse_revision(data)
    given = as_object(require(data, "goals"), "goals")
    for key in given:
        if key not in config.goal_ids:
            raise PayloadError(f"goals.{key}"[:80], N_("There is no goal with this id."))
    goals = {}
    for goal_id in config.goal_ids:
        where = f"goals.{goal_id}"
        goal = as_object(require(given, goal_id, "goals"), where)
        for key in goal:
            if key not in ("text", "smart", "target_date"):
                raise PayloadError(f"{where}.{key}"[:80], N_("Unknown key %(key)s."), key=str(key)[:40])
        text = as_text(require(goal, "text", where), f"{where}.text", config.max_chars,
                       config.max_bytes, min_chars=max(1, config.min_chars))
        smart = as_list(goal.get("smart", []), f"{where}.smart", max_items=len(SMART_LETTERS))
        if not config.show_smart and smart:
            raise PayloadError(f"{where}.smart", N_("This block does not use the SMART checklist."))
        for letter in smart:
            if letter not in SMART_LETTERS:
                raise PayloadError(f"{where}.smart", N_("Unknown checklist item %(item)s."), item=str(letter)[:10])
        if len(set(smart)) != len(smart):
            raise PayloadError(f"{where}.smart", N_("A checklist item is listed twice."))
        stored = state["goals"].get(goal_id, {}).get("target")
        target = parse_target(require(goal, "target_date", where), f"{where}.target_date",
                              today, stored)
        goals[goal_id] = {"text": text, "smart": [letter for letter in SMART_LETTERS if letter in smart],
                          "target": target}
    plan = as_object(data.get("plan", {}), "plan")
    for key in plan:
        if key not in config.plan_keys:
            raise PayloadError(f"plan.{key}"[:80], N_("This block does not ask for this plan field."))
    plan = {key: as_text(plan.get(key, ""), f"plan.{key}", config.max_chars, config.max_bytes)
            for key in config.plan_keys}
    if state["goals"] and not changed_ids(state, goals) and not _plan_changed(state, plan):
        raise PayloadError("goals", N_("Nothing has changed since your last save."))
    return revision, goals, plan


def parse_checkin(data, config, state):
    """Validate a check-in payload; return ``(revision, checkin)`` or raise PayloadError."""
    only_keys(data, ("revision", "progress") + REFLECTION_KEYS)
    revision = parse_revision(data)
    current = current_goal_ids(state, config)
    if not current:
        raise PayloadError("progress", N_("Set your goals before you check in."))
    progress = as_object(require(data, "progress"), "progress")
    for key in progress:
        if key not in current:
            raise PayloadError(f"progress.{key}"[:80], N_("There is no goal with this id."))
    for goal_id in current:
        if goal_id not in progress:
            raise PayloadError(f"progress.{goal_id}", N_("Rate your progress on every goal."))
        as_int(progress[goal_id], f"progress.{goal_id}", 0, len(PROGRESS) - 1)
    checkin = {"progress": {goal_id: progress[goal_id] for goal_id in current}}
    for key in REFLECTION_KEYS:
        checkin[key] = as_text(require(data, key), key, config.max_chars, config.max_bytes,
                               min_chars=config.min_chars)
    return revision, checkin


def current_goal_ids(state, config):
    """The author's current goal slots that this learner has filled, in display order."""
    return [goal_id for goal_id in config.goal_ids if goal_id in state["goals"]]


# --- learner state -------------------------------------------------------------------------

def empty_state():
    return {"version": STATE_VERSION, "revision": 0, "goals": {}, "plan": {}, "timeline": [],
            "saves": 0, "checkins": 0, "first_set_at": None}


GOAL = Record(required={"text": TEXT, "target": TEXT},
              optional={"set_at": TEXT, "updated_at": TEXT, "versions": COUNT},
              defaults={"smart": (ListOf(TEXT), [])})
PLAN = MapOf(TEXT)
TIMELINE_ENTRY = Record(required={"kind": OneOf("goals", "checkin"), "at": TEXT},
                        optional={"number": COUNT, "change": TEXT, "goals": MapOf(GOAL), "plan": PLAN,
                                  "progress": MapOf(Whole(0, len(PROGRESS) - 1)),
                                  **{key: TEXT for key in REFLECTION_KEYS}})
STORED_SHAPE = Record(required={"revision": COUNT, "saves": COUNT, "checkins": COUNT, "goals": MapOf(GOAL),
                                "timeline": ListOf(TIMELINE_ENTRY)},
                      defaults={"plan": (PLAN, {}), "first_set_at": (Optional(TEXT), None)})


STATE_SHAPE = StateShape(version=STATE_VERSION, default=empty_state, shape=STORED_SHAPE)


def changed_ids(state, goals):
    """The goals whose text, checklist or target date differ from the stored ones."""
    return [goal_id for goal_id, goal in goals.items()
            if {key: state["goals"].get(goal_id, {}).get(key) for key in ("text", "smart", "target")} != goal]


def _plan_changed(state, plan):
    return plan != {key: state["plan"].get(key, "") for key in plan}


def record_goals(state, goals, plan, when):
    """A new state with these goals saved; returns ``(state, kind, changed ids)``, kind "set" or "revise"."""
    kind = "revise" if state["goals"] else "set"
    changed = changed_ids(state, goals)
    new_goals = dict(state["goals"])
    for goal_id in changed:
        previous = state["goals"].get(goal_id)
        new_goals[goal_id] = dict(goals[goal_id], set_at=previous["set_at"] if previous else when, updated_at=when,
                                  versions=(previous.get("versions", 1) + 1) if previous else 1)
    entry = {"kind": "goals", "at": when, "number": state["saves"] + 1, "change": kind,
             "goals": {goal_id: dict(goals[goal_id]) for goal_id in changed}}
    if _plan_changed(state, plan):
        entry["plan"] = dict(plan)
    new_state = dict(state, goals=new_goals, plan=dict(plan), revision=state["revision"] + 1,
                     saves=state["saves"] + 1, first_set_at=state["first_set_at"] or when)
    return keep_newest(new_state, "timeline", state["timeline"] + [entry], TIMELINE_CAP), kind, changed


def record_checkin(state, checkin, when):
    """A new state with this check-in appended to the timeline."""
    entry = dict(checkin, kind="checkin", at=when, number=state["checkins"] + 1)
    return keep_newest(dict(state, revision=state["revision"] + 1, checkins=state["checkins"] + 1),
                       "timeline", state["timeline"] + [entry], TIMELINE_CAP)


def last_checkin(state):
    for entry in reversed(state["timeline"]):
        if entry["kind"] == "checkin":
            return entry
    return None


def next_checkin_due(state, interval_days, zone=timezone.utc):
    """
    The day from which the next check-in is suggested, or None when there is no cadence: the day of
    the last check-in (or of setting the goals) in the reader's time zone ``zone``, plus the interval.
    """
    if not interval_days or not state["goals"]:
        return None
    previous = last_checkin(state)
    start = (previous or {}).get("at") or state["first_set_at"] or ""
    try:
        if len(start) == len("2026-01-31"):  # a day already
            return date.fromisoformat(start) + timedelta(days=interval_days)
        moment = datetime.fromisoformat(start)
        day = (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).astimezone(zone).date()
        return day + timedelta(days=interval_days)
    except (TypeError, ValueError, OverflowError):
        return None


def credit(state, checkin_count):
    """``(earned, possible)``: one point per check-in, up to the expected count."""
    possible = max(1, checkin_count)
    return min(state["checkins"], possible), possible


# --- class counts (user_state_summary) --------------------------------------------------------

def class_contribution(state):
    """What one learner's state adds to the class counts: whether they set goals, and their check-ins."""
    return {"goals": bool(state["goals"]), "checkins": state["checkins"]}


# The class counts as stored (each key may be absent: it then counts 0).
COUNTS_SHAPE = Record(optional={"version": Whole(1, 1), "learners_with_goals": COUNT, "checkins": COUNT})


def update_counts(summary, old, new):
    """
    Anonymous counts only, learners who set goals and check-ins made, with one learner's
    contribution ``old`` replaced by ``new`` (from ``class_contribution``; None for nothing).
    Garbled values are read as zero and counts never go below zero.
    """
    if not isinstance(summary, dict) or summary.get("version") != 1:
        summary = {"version": 1, "learners_with_goals": 0, "checkins": 0}

    def whole(value):
        return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0
    counts = {key: whole(summary.get(key, 0)) for key in ("learners_with_goals", "checkins")}
    for contribution, step in ((old, -1), (new, 1)):
        contribution = contribution if isinstance(contribution, dict) else {}
        counts["learners_with_goals"] += step if contribution.get("goals") is True else 0
        counts["checkins"] += step * whole(contribution.get("checkins", 0))
    return dict({key: max(0, value) for key, value in counts.items()}, version=1)
