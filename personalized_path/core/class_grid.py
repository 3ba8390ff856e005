"""
The learning plan's class grid, for course staff: which learners a filter, a search and a sort
order select, a page of them, the learners on each gate's route, and the CSV export of the same
facts. The rows come from ``plan.learner_row``; everything here is pure.
"""
import csv
import io
import math
from dataclasses import dataclass

from . import N_
from .payload import PayloadError, as_int, as_object, as_text, only_keys
from .plan import CHOICE_BOARD, GOAL_REFLECTION, MASTERY_GATE

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
