"""
Self-assessment: "I can" statements rated on an author-defined scale.

Levels are whole numbers 1..N for a scale of N levels; 0 means "not sure yet" when the author
allows it. Learner state keeps the first rating of each statement separately from a bounded
history, so growth (first against latest) survives the oldest entries being dropped.
"""
from dataclasses import dataclass

from . import N_
from .payload import PayloadError, authored_item, as_int, as_list, as_object, as_slug, as_text, only_keys, require
from .state import TEXT, ListOf, MapOf, Record, StateShape, Whole, keep_newest

MIN_LEVELS, MAX_LEVELS = 3, 5
MAX_STATEMENTS = 30
HISTORY_CAP = 20
EVIDENCE_MAX_CHARS = 1000
EVIDENCE_MAX_BYTES = 3000
STATEMENT_MAX_CHARS = 300
LABEL_MAX_CHARS = 40
DESCRIPTOR_MAX_CHARS = 200
UNSURE = 0
STATE_VERSION = 1


@dataclass(frozen=True)
class Config:
    """The author's settings that the learner-facing logic needs."""

    statements: list
    scale: list
    allow_unsure: bool = False
    evidence_enabled: bool = True

    @property
    def statement_ids(self):
        return [statement["id"] for statement in self.statements]

    @property
    def levels(self):
        """Allowed stored levels, including 'not sure yet' when enabled."""
        top = len(self.scale)
        return ([UNSURE] if self.allow_unsure else []) + list(range(1, top + 1))


# --- authoring -----------------------------------------------------------------------------

def validate_config(statements, scale):
    """Return a list of PayloadErrors describing everything wrong with the author's settings."""
    problems = []
    try:
        as_list(statements, "statements", max_items=MAX_STATEMENTS)
        if not statements:
            raise PayloadError("statements", N_("Add at least one statement."))
        seen = set()
        for index, statement in enumerate(statements):
            where = f"statements[{index}]"
            authored_item(statement, where, ("id", "text", "skill"), seen)
            as_text(require(statement, "text", where), f"{where}.text", STATEMENT_MAX_CHARS,
                    min_chars=1, multiline=False)
            as_slug(require(statement, "skill", where), f"{where}.skill")
    except PayloadError as error:
        problems.append(error)
    try:
        as_list(scale, "scale")
        if not MIN_LEVELS <= len(scale) <= MAX_LEVELS:
            raise PayloadError("scale", N_("The scale needs from %(minimum)s to %(maximum)s levels."),
                               minimum=MIN_LEVELS, maximum=MAX_LEVELS)
        for index, level in enumerate(scale):
            where = f"scale[{index}]"
            as_object(level, where)
            only_keys(level, ("label", "descriptor"), where)
            as_text(require(level, "label", where), f"{where}.label", LABEL_MAX_CHARS, min_chars=1, multiline=False)
            as_text(level.get("descriptor", ""), f"{where}.descriptor", DESCRIPTOR_MAX_CHARS, multiline=False)
    except PayloadError as error:
        problems.append(error)
    return problems


# --- learner input -------------------------------------------------------------------------

def parse_submission(data, config):
    """Validate a submit payload; return ``(ratings, evidence)`` or raise PayloadError."""
    only_keys(data, ("ratings", "evidence"))
    ratings = as_object(require(data, "ratings"), "ratings")
    for key in ratings:
        if key not in config.statement_ids:
            raise PayloadError(f"ratings.{key}"[:80], N_("There is no statement with this id."))
    levels = config.levels
    for statement_id in config.statement_ids:
        if statement_id not in ratings:
            raise PayloadError(f"ratings.{statement_id}", N_("Rate every statement."))
        level = as_int(ratings[statement_id], f"ratings.{statement_id}", min(levels), max(levels))
        ratings[statement_id] = level
    evidence = as_object(data.get("evidence", {}), "evidence")
    if evidence and not config.evidence_enabled:
        raise PayloadError("evidence", N_("Evidence is not collected for this self-assessment."))
    for key, text in evidence.items():
        if key not in config.statement_ids:
            raise PayloadError(f"evidence.{key}"[:80], N_("There is no statement with this id."))
        as_text(text, f"evidence.{key}", EVIDENCE_MAX_CHARS, EVIDENCE_MAX_BYTES)
    evidence = {key: text for key, text in evidence.items() if text.strip()}
    return ratings, evidence


# --- learner state -------------------------------------------------------------------------

def empty_state():
    return {"version": STATE_VERSION, "first": {}, "history": []}


LEVEL = Whole(UNSURE, MAX_LEVELS)
# Stored ratings and evidence keep statement ids the author may since have removed: keys are any text.
STORED_SHAPE = Record(required={
    "first": MapOf(Record(required={"level": LEVEL, "at": TEXT})),
    "history": ListOf(Record(required={"at": TEXT, "ratings": MapOf(LEVEL)},
                             defaults={"evidence": (MapOf(TEXT), {})})),
})


def _from_v0(state):
    """Version 0 kept only the latest ratings: ``{"ratings": {...}, "submitted_at": "..."}``."""
    ratings = state.get("ratings") or {}
    when = state.get("submitted_at") or ""
    if not ratings:
        return empty_state()
    return {
        "first": {key: {"level": level, "at": when} for key, level in ratings.items()},
        "history": [{"at": when, "ratings": dict(ratings), "evidence": dict(state.get("evidence") or {})}],
    }


STATE_SHAPE = StateShape(version=STATE_VERSION, default=empty_state, shape=STORED_SHAPE,
                         migrations={0: _from_v0})


def record_submission(state, ratings, evidence, when):
    """A new state with this submission appended (history bounded in entries and bytes, first ratings kept)."""
    first = dict(state["first"])
    for statement_id, level in ratings.items():
        first.setdefault(statement_id, {"level": level, "at": when})
    history = state["history"] + [{"at": when, "ratings": dict(ratings), "evidence": dict(evidence)}]
    return keep_newest({"version": STATE_VERSION, "first": first}, "history", history, HISTORY_CAP)


def latest(state):
    """The most recent history entry, or None before the first submit."""
    return state["history"][-1] if state["history"] else None


def growth(state, config):
    """Per current statement: first and latest rating with dates, and the change in levels."""
    newest = latest(state)
    if newest is None:
        return []
    rows = []
    for statement in config.statements:
        statement_id = statement["id"]
        first = state["first"].get(statement_id)
        level = newest["ratings"].get(statement_id)
        if first is None or level is None:
            continue
        change = None
        if UNSURE not in (first["level"], level):
            change = level - first["level"]
        rows.append({
            "statement": statement,
            "first_level": first["level"], "first_at": first["at"],
            "latest_level": level, "latest_at": newest["at"],
            "change": change,
        })
    return rows


def profile_by_skill(state, config):
    """Mean latest level per skill over rated (not 'unsure') statements, in author order."""
    newest = latest(state)
    if newest is None:
        return []
    by_skill = {}
    for statement in config.statements:
        levels = by_skill.setdefault(statement["skill"], [])
        level = newest["ratings"].get(statement["id"])
        if level not in (None, UNSURE):
            levels.append(level)
    top = len(config.scale)
    profile = []
    for skill, levels in by_skill.items():
        mean = round(sum(levels) / len(levels), 1) if levels else None
        profile.append({
            "skill": skill,
            "mean": mean,
            "out_of": top,
            "level": max(1, min(top, round(mean))) if mean is not None else None,
            "rated": len(levels),
        })
    return profile


def skill_levels(state, config):
    """``{skill: mean level}`` of the latest ratings, for other blocks to read."""
    return {row["skill"]: row["mean"] for row in profile_by_skill(state, config) if row["mean"] is not None}


def first_skill_levels(state, config):
    """``{skill: mean level}`` of each current statement's first rating (where growth starts)."""
    by_skill = {}
    for statement in config.statements:
        first = state["first"].get(statement["id"])
        if first is not None and first["level"] != UNSURE:
            by_skill.setdefault(statement["skill"], []).append(first["level"])
    return {skill: round(sum(levels) / len(levels), 1) for skill, levels in by_skill.items()}


# --- class distribution (user_state_summary) --------------------------------------------------

def empty_distribution():
    return {"version": 1, "learners": 0, "counts": {}}


def update_distribution(summary, config, previous, current):
    """
    Move one learner's ratings from ``previous`` to ``current`` (each None when the learner has
    not submitted; both from ``class_contribution``). Summing every learner's latest ratings gives
    the counts; garbled values are read as zero, counts never go below zero and anything not in the
    current configuration is dropped, which keeps the summary bounded.
    """
    if not isinstance(summary, dict) or summary.get("version") != 1:
        summary = empty_distribution()
    levels = [str(level) for level in config.levels]
    counts = {}
    stored_counts = summary.get("counts") if isinstance(summary.get("counts"), dict) else {}
    for statement_id in config.statement_ids:
        stored = stored_counts.get(statement_id) if isinstance(stored_counts.get(statement_id), dict) else {}
        counts[statement_id] = {
            level: max(0, int(stored.get(level, 0))) if isinstance(stored.get(level, 0), int) else 0
            for level in levels
        }
    previous, current = (ratings if isinstance(ratings, dict) else {} for ratings in (previous, current))
    for ratings, step in ((previous, -1), (current, 1)):
        for statement_id, level in ratings.items():
            bucket = counts.get(statement_id)
            if bucket is not None and str(level) in bucket:
                bucket[str(level)] += step
    learners = summary.get("learners", 0)
    learners = learners if isinstance(learners, int) and not isinstance(learners, bool) and learners >= 0 else 0
    return {"version": 1, "learners": max(0, learners + bool(current) - bool(previous)),
            "counts": {statement_id: {level: max(0, count) for level, count in bucket.items()}
                       for statement_id, bucket in counts.items()}}


def class_contribution(state):
    """What one learner's state adds to the class distribution: their latest ratings, or None."""
    newest = latest(state)
    return dict(newest["ratings"]) if newest else None


def comparison(summary, config):
    """Per statement, the share of learners at each level; None when there are no counts to show."""
    if not isinstance(summary, dict) or not isinstance(summary.get("counts"), dict):
        return None
    rows = []
    for statement in config.statements:
        bucket = summary["counts"].get(statement["id"])
        bucket = {key: value for key, value in bucket.items() if isinstance(value, int) and not isinstance(
            value, bool) and value >= 0} if isinstance(bucket, dict) else {}
        total = sum(bucket.values())
        rows.append({
            "statement": statement,
            "levels": [
                {"level": level, "count": bucket.get(str(level), 0),
                 "percent": round(100 * bucket.get(str(level), 0) / total) if total else 0}
                for level in sorted(config.levels, key=lambda level: (level == UNSURE, level))
            ],
        })
    return rows
