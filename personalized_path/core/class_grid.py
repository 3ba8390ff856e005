"""
The learning plan's class grid, for course staff: which learners a filter, a search and a sort
order select, a page of them, the learners on each gate's route, and the CSV export of the same
facts. The rows come from ``plan.learner_row``; everything here is pure.
"""
import csv
import io
import math
from dataclasses import dataclass
from datetime import date, datetime, timezone

from . import N_
from .payload import PayloadError, as_int, as_object, as_text, only_keys
from .plan import CHOICE_BOARD, GOAL_REFLECTION, MASTERY_GATE, SkillRule, Source, learner_row

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 200
MAX_STUCK_DAYS = 365

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


def ordered(rows, query):
    """The rows a query matches, in its order (ties by name), as the grid pages them and the export lists them."""
    found = [row for row in rows if matches(row, query)]
    key = sort_key(query)
    if query.sort == "learner":
        found.sort(key=key, reverse=query.descending)
    else:
        found.sort(key=lambda row: (key(row), row["learner"].lower()))
    return found


def page_of(matching, query):
    """``(number of pages, the page shown, index of its first row)`` for ``matching`` rows."""
    pages = max(1, math.ceil(matching / query.page_size))
    page = min(query.page, pages)
    return pages, page, (page - 1) * query.page_size


def select(rows, query):
    """``(page of rows, number matching, number of pages, page shown)`` for a query."""
    found = ordered(rows, query)
    pages, page, start = page_of(len(found), query)
    return found[start:start + query.page_size], len(found), pages, page


def summary_facts(sources, summaries, rules, now):
    """
    What a stored class summary row holds beside the summaries themselves, for the grid to filter and
    sort on in the database: days as dates (compared with today in the query, so "stuck for N days" and
    "overdue" stay right as days pass), flags, each skill's measurement and each gate's status and route.
    Measurements and calibration are as of ``now`` (the learner's write).
    """
    row = learner_row("", sources, summaries, rules, now.date(), now=now)
    reached = [_day((summaries.get(gate["key"]) or {}).get("reached_at")) for gate in row["gates"]
               if gate["status"] == "locked"]
    due = [_day(goal["next_checkin_due"], whole=True) for goal in row["goals"]]
    return {
        "stuck_since": min([day for day in reached if day] or [None], key=lambda day: day or date.max),
        "next_checkin_due": min([day for day in due if day] or [None], key=lambda day: day or date.max),
        "next_review_due": min(filter(None, (_time(cell["review_due"]) for cell in row["skills"])), default=None),
        "no_choice": row["no_choice"], "over": row["over"], "under": row["under"], "exception": row["exception"],
        "skills": {cell["skill"]: cell["measured"] for cell in row["skills"]},
        "gates": {gate["key"]: gate_tally_key(gate, sources) for gate in row["gates"]},
    }


def config_record(sources, rules):
    """What a plan reads (its sources and skill rules) as JSON, for a stored summary to be computed from."""
    return {"sources": [{"key": source.key, "kind": source.kind, "title": source.title,
                         "skills": list(source.skills), "routes": [dict(route) for route in source.routes]}
                        for source in sources],
            "rules": {skill: {"estimator": rule.estimator, "params": rule.params, "threshold": rule.threshold}
                      for skill, rule in rules.items()}}


def config_from_record(record):
    """``(sources, rules)`` back from ``config_record``."""
    sources = [Source(key=item["key"], kind=item["kind"], title=item["title"], skills=tuple(item["skills"]),
                      routes=tuple(item["routes"])) for item in record["sources"]]
    return sources, {skill: SkillRule(**rule) for skill, rule in record["rules"].items()}


def gate_tally_key(gate, sources):
    """What ``route_counts`` counts a learner's gate under: a route id, or the gate's status."""
    routes = next((source.routes for source in sources if source.key == gate["key"]), ())
    if gate["status"] == "unlocked" and gate["route"] in {route["id"] for route in routes}:
        return "route:" + gate["route"]
    return gate["status"]


def _day(text, whole=False):
    """The day an ISO date or time falls on (its first ten characters; ``whole``: a date only); None if unreadable."""
    if not isinstance(text, str):
        return None
    try:
        return date.fromisoformat(text if whole else text[:10])
    except ValueError:
        return None


def _time(text):
    """An ISO time as an aware datetime (UTC when it names no zone); None if unreadable."""
    try:
        when = datetime.fromisoformat(text) if isinstance(text, str) else None
    except ValueError:
        return None
    return when.replace(tzinfo=timezone.utc) if when and when.tzinfo is None else when


def route_counts(rows, sources):
    """Per gate: learners on each route, unlocked without a route, locked, and not reached yet."""
    counts = []
    for source in sources:
        if source.kind != MASTERY_GATE:
            continue
        tally = {}
        for row in rows:
            for gate in row["gates"]:
                if gate["key"] == source.key:
                    key = gate_tally_key(gate, sources)
                    tally[key] = tally.get(key, 0) + 1
        counts.append(gate_counts(source, tally))
    return counts


def gate_counts(source, tally):
    """One gate's counts from ``{gate_tally_key: learners}``."""
    return {"key": source.key, "title": source.title, "locked": tally.get("locked", 0),
            "not_reached": tally.get("not_reached", 0), "unlocked": tally.get("unlocked", 0),
            "routes": [{"id": route["id"], "label": route["label"], "count": tally.get("route:" + route["id"], 0)}
                       for route in source.routes]}


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_header(skills, sources):
    """The export's first line: the learner, then per skill, gate, board and goal reflection its columns."""
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
    return header


def csv_line(row):
    """One learner's line of the export, in the header's order."""
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
    return line


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
    return "".join(csv_chunks(header, rows))


def csv_chunks(header, rows, lines_per_chunk=500):
    """The CSV document as pieces of about ``lines_per_chunk`` lines, for a streamed answer: ``rows`` may be lazy."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([csv_cell(value) for value in header])
    written = 0
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
        written += 1
        if written % lines_per_chunk == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()
