"""
Learning plan: one learner's standing across the course's blocks (the class grid is in ``class_grid``).

The inputs are plain summaries: each block describes a learner's stored state with its own
``summarize_state`` (same shape whether it is the current learner or one of thousands read
for the grid), and describes its settings (skills, routes, mastery rules) through its agreed
methods. Everything here is pure.

Scales: measured mastery is a percentage (0..100, an estimator's 0..1 times 100). A
self-rating of level ``l`` on a scale of ``n`` levels sits at ``(l - 1) / (n - 1)`` of the
way up, also as a percentage, so that "the lowest level" is 0 and "the top level" is 100
whatever the scale's length. A self-rating and a measurement that are more than
CALIBRATION_MARGIN points apart get a calibration note.
"""
from dataclasses import dataclass, field
from datetime import date, datetime

from . import N_, is_finite_number
from . import mastery
from .payload import PayloadError, authored_items, as_list, as_text, only_keys, require
from .state import stored_time

CALIBRATION_MARGIN = 25.0
TREND_MARGIN = 5.0
BEGINNING_BELOW = 50.0
DEFAULT_ESTIMATOR = "n_of_m"
MAX_TOPICS = 12
MAX_INTERESTS = 5
TOPIC_LABEL_MAX_CHARS = 60
MAX_NEXT_STEPS = 5
MAX_SOURCES = 100

# Mastery bands, lowest first: the grid colours cells by band.
NO_EVIDENCE, BEGINNING, DEVELOPING, MASTERED = "none", "beginning", "developing", "mastered"
BAND_LABELS = {
    NO_EVIDENCE: N_("No evidence yet"),
    BEGINNING: N_("Beginning"),
    DEVELOPING: N_("Developing"),
    MASTERED: N_("Mastered"),
}
HIGHER, LOWER, MATCHED = "higher", "lower", "matched"
CALIBRATION_NOTES = {
    HIGHER: N_("You rate yourself higher than your results so far."),
    LOWER: N_("You rate yourself lower than your results so far."),
}
RISING, FALLING, STEADY = "rising", "falling", "steady"
TREND_LABELS = {RISING: N_("rising"), FALLING: N_("falling"), STEADY: N_("steady")}


# --- one skill -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class SkillRule:
    """How a skill's mastery is measured: an estimator (validated params) and a threshold in percent."""

    estimator: str = DEFAULT_ESTIMATOR
    params: dict = field(default_factory=dict)
    threshold: float = None

    @property
    def mastery_threshold(self):
        if self.threshold is not None:
            return float(self.threshold)
        return 100.0 * mastery.default_threshold(self.estimator)


def self_percent(level, out_of):
    """A mean self-rating level on a scale of ``out_of`` levels as 0..100; None when unrated."""
    if not _finite(level) or not isinstance(out_of, int) or out_of < 2 or level <= 0:
        return None
    return round(100.0 * (min(level, out_of) - 1) / (out_of - 1), 1)


def measure(evidence, rule, now=None):
    """
    ``(now, before the latest answer, decision)`` from the skill's dated answers ``(ISO time, outcome)``
    from every check: values as percentages (None without evidence) and ``mastery.decide``'s decision
    (None when the rule or the evidence is unusable).
    """
    rows = _dated(evidence)
    try:
        threshold = rule.mastery_threshold / 100
        decision = mastery.decide(rule.estimator, rows, now=now, threshold=threshold, **rule.params)
        before = mastery.decide(rule.estimator, rows[:-1], now=now, threshold=threshold,
                                **rule.params).value if len(rows) > 1 else None
    except (PayloadError, TypeError, ValueError):
        return None, None, None
    value = decision.value
    return (None if value is None else round(100 * value, 1)), (None if before is None else round(100 * before, 1)), \
        decision


def _dated(evidence):
    """The usable ``(aware datetime, outcome)`` rows of ``evidence``, in the one order (``mastery.history``)."""
    dated = []
    for when, outcome in evidence or ():
        try:
            moment = datetime.fromisoformat(when) if isinstance(when, str) else when
        except ValueError:
            continue
        if isinstance(moment, datetime) and moment.tzinfo is not None and _finite(outcome) and 0 <= outcome <= 1:
            dated.append((moment, float(outcome)))
    return mastery.history(dated)


def band(measured, threshold, mastered=None):
    """The band of a value; ``mastered`` (the skill's decision, with its minimum of evidence) decides "mastered"."""
    if measured is None:
        return NO_EVIDENCE
    if mastered if mastered is not None else mastery.meets(measured, threshold, 100):
        return MASTERED
    return BEGINNING if measured < BEGINNING_BELOW else DEVELOPING


def calibration(self_pct, measured, margin=CALIBRATION_MARGIN):
    """HIGHER or LOWER when the self-rating and the measurement differ by more than ``margin``."""
    return _compare(self_pct, measured, margin, (HIGHER, LOWER, MATCHED))


def trend(before, now, margin=TREND_MARGIN):
    """RISING or FALLING when the value moved by more than ``margin``."""
    return _compare(now, before, margin, (RISING, FALLING, STEADY))


def _compare(value, reference, margin, labels):
    """labels[0] when ``value`` exceeds ``reference`` by more than ``margin``, labels[1] when it falls
    short by more, else labels[2]; None when either is unknown."""
    if value is None or reference is None:
        return None
    above, below, within = labels
    if value - reference > margin:
        return above
    if reference - value > margin:
        return below
    return within


def review_due(evidence):
    """
    When a skill is due for review (ISO time, UTC), from its dated answers ``(ISO time, outcome)``:
    when its recall (``mastery.recall``, the gate's) falls to 90% (``mastery.review_due``); None without
    dated answers. A time, not a day: which day that is depends on the reader's time zone (the view decides).
    """
    due = mastery.review_due(_dated(evidence))
    return stored_time(due) if due else None


def skill_row(skill, self_rating, evidence, rule, now=None):
    """
    One skill for one learner. ``self_rating`` is ``{"level", "first", "out_of"}`` (mean levels of
    the latest and first ratings) or None; ``evidence`` the dated answers ``(ISO time, outcome)``
    from every skill check: the one history the value, the band and the review date come from.
    """
    self_rating = self_rating or {}
    out_of = self_rating.get("out_of")
    level, first = self_rating.get("level"), self_rating.get("first")
    mine, mine_first = self_percent(level, out_of), self_percent(first, out_of)
    measured, before, decision = measure(evidence, rule, now)
    threshold = rule.mastery_threshold
    return {
        "skill": skill, "level": level, "out_of": out_of, "self_percent": mine,
        "self_trend": trend(mine_first, mine), "measured": measured, "measured_trend": trend(before, measured),
        "evidence": len(evidence or ()), "threshold": threshold,
        "band": band(measured, threshold, decision.mastered if decision else None),
        "needed": decision.needed if decision and not decision.mastered else None,
        "calibration": calibration(mine, measured), "review_due": review_due(evidence),
    }


# --- one learner ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Source:
    """One block the plan reads: its usage id, tag, title, and its settings the plan needs."""

    key: str
    kind: str
    title: str
    skills: tuple = ()
    routes: tuple = ()        # gates: ({"id", "label"}, ...)


SELF_ASSESSMENT = "personalized_self_assessment"
SKILL_CHECK = "personalized_skill_check"
CHOICE_BOARD = "personalized_choice_board"
MASTERY_GATE = "personalized_mastery_gate"
GOAL_REFLECTION = "personalized_goal_reflection"
SOURCE_KINDS = (SELF_ASSESSMENT, SKILL_CHECK, MASTERY_GATE, CHOICE_BOARD, GOAL_REFLECTION)


def course_skills(sources):
    """Every skill any source names, in course order, each once."""
    seen = []
    for source in sources:
        for skill in source.skills:
            if skill not in seen:
                seen.append(skill)
    return seen


def learner_skills(sources, summaries, rules, now=None):
    """
    Per course skill: the latest self-rating (the last self-assessment in course order that rated it)
    and the measured mastery over every skill check's evidence, in course order.
    """
    ratings, evidence = {}, {}
    for source in sources:
        summary = summaries.get(source.key) or {}
        if source.kind == SELF_ASSESSMENT:
            for skill, level in (summary.get("levels") or {}).items():
                if _finite(level):
                    # A trend needs a second rating: with one, the first rating is the latest.
                    first = (summary.get("first_levels") or {}).get(skill) if summary.get("submissions", 0) > 1 \
                        else None
                    ratings[skill] = {"level": level, "first": first, "out_of": summary.get("out_of")}
        elif source.kind == SKILL_CHECK:
            for skill, dated in (summary.get("evidence") or {}).items():
                evidence.setdefault(skill, []).extend(
                    item for item in (dated if isinstance(dated, list) else ())
                    if isinstance(item, (list, tuple)) and len(item) == 2)
    return [skill_row(skill, ratings.get(skill), evidence.get(skill, ()), rules.get(skill, SkillRule()), now)
            for skill in course_skills(sources)]


def days_between(earlier, today):
    """Whole days from an ISO timestamp or date to ``today`` (a date); None when unreadable."""
    if not isinstance(earlier, str):
        return None
    try:
        start = date.fromisoformat(earlier[:10])
    except ValueError:
        return None
    return max(0, (today - start).days)


def gate_status(summary):
    """"unlocked", "locked" (reached and not open) or "not_reached" from a gate summary."""
    summary = summary or {}
    if summary.get("unlocked"):
        return "unlocked"
    return "locked" if summary.get("reached_at") or summary.get("exception") else "not_reached"


def learner_row(username, sources, summaries, rules, today, *, now=None):
    """One learner's grid row: skills, gates, boards, goals and the flags the filters use (``now``: for recall)."""
    skills = learner_skills(sources, summaries, rules, now)
    gates, boards, goals = [], [], []
    for source in sources:
        summary = summaries.get(source.key) or {}
        if source.kind == MASTERY_GATE:
            status = gate_status(summary)
            labels = {route["id"]: route["label"] for route in source.routes}
            gates.append({"key": source.key, "title": source.title, "status": status,
                          "route": summary.get("route") if status == "unlocked" else None,
                          "route_label": labels.get(summary.get("route")) if status == "unlocked" else None,
                          "stuck_days": days_between(summary.get("reached_at"), today) if status == "locked" else None,
                          "exception": summary.get("exception")})
        elif source.kind == CHOICE_BOARD:
            chosen = summary.get("chosen") or []
            boards.append({"key": source.key, "title": source.title, "chosen": len(chosen),
                           "done": len([item for item in chosen if item.get("done")]),
                           "committed": bool(summary.get("committed")), "completed": bool(summary.get("completed"))})
        elif source.kind == GOAL_REFLECTION:
            due = summary.get("next_checkin_due")
            goals.append({"key": source.key, "title": source.title, "goals_set": bool(summary.get("goals_set")),
                          "next_checkin_due": due, "overdue": _overdue(due, today)})
    return {
        "learner": username, "skills": skills, "gates": gates, "boards": boards, "goals": goals,
        "stuck_days": max([gate["stuck_days"] for gate in gates if gate["stuck_days"] is not None] or [None],
                          key=lambda value: -1 if value is None else value),
        "no_choice": any(board["chosen"] == 0 for board in boards),
        "overdue": any(goal["overdue"] for goal in goals),
        "over": any(row["calibration"] == HIGHER for row in skills),
        "under": any(row["calibration"] == LOWER for row in skills),
        "exception": any(gate["exception"] for gate in gates),
    }


def _overdue(due, today):
    try:
        return bool(due) and date.fromisoformat(due) < today
    except (TypeError, ValueError):
        return False


# --- what to do next ---------------------------------------------------------------------------------

def next_steps(gates, extra=(), limit=MAX_NEXT_STEPS):
    """
    The learner's next steps, those that unlock the most first.

    ``gates``: ``[{"key", "unlocked", "mode", "unmet": [{"source", "text"}]}]`` from the gates' live
    evaluation. A step is one unmet condition's source; it earns, for every locked gate that waits on
    it, 1 when that gate needs any one condition, or 1/k when it needs all k of its unmet conditions
    (so finishing the last missing piece of a gate counts fully). ``extra``: further steps
    ``{"source", "text"}`` (a board to choose from, a check-in due), which unlock nothing and come
    after, in the order given.
    """
    steps = {}
    order = []
    for gate in gates:
        if gate.get("unlocked"):
            continue
        unmet = gate.get("unmet") or []
        share = 1.0 if gate.get("mode") == "any" else 1.0 / max(1, len(unmet))
        for condition in unmet:
            key = condition.get("source") or condition.get("text")
            if key not in steps:
                steps[key] = {"source": condition.get("source"), "text": condition.get("text"), "unlocks": 0.0,
                              "gates": []}
                order.append(key)
            steps[key]["unlocks"] += share
            steps[key]["gates"].append(gate.get("key"))
    ranked = sorted((steps[key] for key in order), key=lambda step: -step["unlocks"])
    for item in extra:
        if item.get("source") not in steps:
            ranked.append(dict(item, unlocks=0.0, gates=[]))
    return ranked[:limit]


# --- the author's topics and the learner's interests -----------------------------------------------

def validate_topics(topics):
    """PayloadErrors for the author's topics: ``[{"id": "slug", "label": "..."}]``."""
    try:
        for where, topic in authored_items(topics, "topics", ("id", "label"), max_items=MAX_TOPICS):
            as_text(require(topic, "label", where), f"{where}.label", TOPIC_LABEL_MAX_CHARS, min_chars=1,
                    multiline=False)
    except PayloadError as error:
        return [error]
    return []


def parse_interests(data, topic_ids):
    """The learner's interests from ``{"interests": ["topic-id", ...]}``: known ids, each once, at most 5."""
    only_keys(data, ("interests",))
    chosen = as_list(require(data, "interests"), "interests", max_items=MAX_INTERESTS)
    clean = []
    for index, topic_id in enumerate(chosen):
        if not isinstance(topic_id, str) or topic_id not in topic_ids:
            raise PayloadError(f"interests[{index}]", N_("This is not one of the topics offered."))
        if topic_id not in clean:
            clean.append(topic_id)
    return clean


def stored_interests(value, topic_ids):
    """The stored interests that are still offered (authors may remove topics)."""
    return [item for item in value if isinstance(item, str) and item in topic_ids][:MAX_INTERESTS] \
        if isinstance(value, list) else []


def _finite(value):
    return is_finite_number(value)
