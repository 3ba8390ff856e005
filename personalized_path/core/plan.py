"""
Learning plan: one learner's standing across the course's blocks, and the class grid.

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
import csv
import io
import math
from dataclasses import dataclass, field
from datetime import date, datetime

from . import N_, is_finite_number
from . import mastery
from .payload import PayloadError, authored_items, as_int, as_list, as_object, as_text, only_keys, require
from .state import time_text

CALIBRATION_MARGIN = 25.0
TREND_MARGIN = 5.0
BEGINNING_BELOW = 50.0
DEFAULT_ESTIMATOR = "n_of_m"
MAX_TOPICS = 12
MAX_INTERESTS = 5
TOPIC_LABEL_MAX_CHARS = 60
MAX_NEXT_STEPS = 5
MAX_SOURCES = 100
DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 200
MAX_STUCK_DAYS = 365

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

# Grid filters.
STUCK, NO_CHOICE, OVERDUE, OVER, UNDER, EXCEPTION = "stuck", "no_choice", "overdue", "over", "under", "exception"
FILTERS = (STUCK, NO_CHOICE, OVERDUE, OVER, UNDER, EXCEPTION)
FILTER_LABELS = {
    STUCK: N_("Stuck at a gate"),
    NO_CHOICE: N_("No choice made"),
    OVERDUE: N_("Check-in overdue"),
    OVER: N_("Rates themselves higher than their results"),
    UNDER: N_("Rates themselves lower than their results"),
    EXCEPTION: N_("Has an instructor exception"),
}


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
    return time_text(due) if due else None


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


# --- the class grid ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class GridQuery:
    """What the class grid shows: a filter, a search, a sort order and a page."""

    filter: str = ""
    stuck_days: int = 7
    sort: str = "learner"
    descending: bool = False
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE
    search: str = ""


GRID_KEYS = ("filter", "stuck_days", "sort", "descending", "page", "page_size", "search")


def parse_grid_query(data, skills, default_stuck_days=7):
    """A GridQuery from a handler body or query string values; PayloadError naming the bad key."""
    as_object(data, "")
    only_keys(data, GRID_KEYS)
    chosen = data.get("filter", "") or ""
    if chosen not in FILTERS and chosen != "":
        raise PayloadError("filter", N_("Unknown filter %(value)s; use one of: %(choices)s."),
                           value=str(chosen)[:40], choices=", ".join(FILTERS))
    sort = data.get("sort", "learner")
    sortable = ("learner", "stuck_days") + tuple(f"skill:{skill}" for skill in skills)
    if sort not in sortable:
        raise PayloadError("sort", N_("Unknown sort key %(value)s."), value=str(sort)[:80])
    descending = data.get("descending", False)
    if not isinstance(descending, bool):
        raise PayloadError("descending", N_("Expected true or false."))
    return GridQuery(
        filter=chosen, sort=sort, descending=descending,
        stuck_days=as_int(data.get("stuck_days", default_stuck_days), "stuck_days", 0, MAX_STUCK_DAYS),
        page=as_int(data.get("page", 1), "page", 1, 10 ** 6),
        page_size=as_int(data.get("page_size", DEFAULT_PAGE_SIZE), "page_size", 1, MAX_PAGE_SIZE),
        search=as_text(data.get("search", ""), "search", 100, multiline=False).strip().lower(),
    )


def matches(row, query):
    if query.search and query.search.lower() not in row["learner"].lower():
        return False
    if query.filter == STUCK:
        return row["stuck_days"] is not None and row["stuck_days"] >= query.stuck_days
    if query.filter in (NO_CHOICE, OVERDUE, OVER, UNDER, EXCEPTION):
        return bool(row[query.filter])
    return True


def sort_key(query):
    """Rows with no value for the sort key go last, whichever the direction."""
    def measured(row, skill):
        for item in row["skills"]:
            if item["skill"] == skill:
                return item["measured"]
        return None

    def key(row):
        if query.sort == "learner":
            return (0, row["learner"].lower())
        value = row["stuck_days"] if query.sort == "stuck_days" else measured(row, query.sort[len("skill:"):])
        return (1, 0) if value is None else (0, -value if query.descending else value)
    return key


def select(rows, query):
    """``(page of rows, number matching, number of pages)`` for a query."""
    found = [row for row in rows if matches(row, query)]
    key = sort_key(query)
    if query.sort == "learner":
        found.sort(key=key, reverse=query.descending)
    else:
        found.sort(key=lambda row: (key(row), row["learner"].lower()))
    pages = max(1, math.ceil(len(found) / query.page_size))
    page = min(query.page, pages)
    start = (page - 1) * query.page_size
    return found[start:start + query.page_size], len(found), pages, page


def route_counts(rows, sources):
    """Per gate: learners on each route, unlocked without a route, locked, and not reached yet."""
    counts = []
    for source in sources:
        if source.kind != MASTERY_GATE:
            continue
        tally = {"locked": 0, "not_reached": 0, "unlocked": 0, "routes": {route["id"]: 0 for route in source.routes}}
        for row in rows:
            for gate in row["gates"]:
                if gate["key"] != source.key:
                    continue
                if gate["status"] == "unlocked" and gate["route"] in tally["routes"]:
                    tally["routes"][gate["route"]] += 1
                else:
                    tally[gate["status"]] += 1
        counts.append({"key": source.key, "title": source.title, "locked": tally["locked"],
                       "not_reached": tally["not_reached"], "unlocked": tally["unlocked"],
                       "routes": [{"id": route["id"], "label": route["label"], "count": tally["routes"][route["id"]]}
                                  for route in source.routes]})
    return counts


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_table(rows, skills, sources):
    """``(header, lines)`` of the class export: one line per learner, the same facts as the grid."""
    header = ["learner"]
    for skill in skills:
        header += [f"{skill}: mastery %", f"{skill}: band", f"{skill}: self-rating", f"{skill}: calibration"]
    for source in sources:
        if source.kind == MASTERY_GATE:
            header += [f"{source.title}: status", f"{source.title}: route", f"{source.title}: days stuck",
                       f"{source.title}: exception"]
        elif source.kind == CHOICE_BOARD:
            header += [f"{source.title}: chosen", f"{source.title}: done"]
        elif source.kind == GOAL_REFLECTION:
            header += [f"{source.title}: goals set", f"{source.title}: next check-in", f"{source.title}: overdue"]
    lines = []
    for row in rows:
        line = [row["learner"]]
        for cell in row["skills"]:
            level = f"{cell['level']:g} / {cell['out_of']}" if cell["level"] is not None else None
            line += [cell["measured"], cell["band"], level, cell["calibration"]]
        for gate in row["gates"]:
            exception = gate["exception"]
            line += [gate["status"], gate["route_label"] or gate["route"], gate["stuck_days"],
                     f"{exception['action']} by {exception['by']} at {exception['at']}: {exception['reason']}"
                     if exception else None]
        for board in row["boards"]:
            line += [board["chosen"], board["done"]]
        for goal in row["goals"]:
            line += [goal["goals_set"], goal["next_checkin_due"], goal["overdue"]]
        lines.append(line)
    return header, lines


def csv_cell(value):
    """A value for a CSV cell; text that a spreadsheet would run as a formula is prefixed with '."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return f"{value:g}" if isinstance(value, float) else str(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_text(header, rows):
    """The whole CSV document (RFC 4180 quoting, CRLF line ends) from a header and rows of values."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([csv_cell(value) for value in header])
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return out.getvalue()


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
