"""
Choice board: a board of activities from which each learner chooses under the author's rule.

Rules (pure functions of a set of tile ids):

* ``k_of_n``: exactly ``k`` tiles.
* ``tic_tac_toe``: the set contains a complete row, column or diagonal of a square grid;
  with ``require_centre`` the complete line must pass through the centre tile.
* ``points``: the counted points reach ``target``; with a cap per tier, points beyond a tier's
  cap do not count.
* ``must_may``: every must-do tile plus exactly ``k`` may-do tiles.

Tiles are laid out row by row, so in a grid the tile at row ``r``, column ``c`` is
``tiles[r * columns + c]``.

The author's settings are checked in ``choice_board_settings``; the class's anonymous tile counts
are kept by ``choice_board_counts``.
"""
import re
from dataclasses import dataclass

from . import N_, NP_
from .payload import PayloadError, as_int, as_list, as_text, only_keys, require
from .state import COUNT, FLAG, TEXT, ListOf, MapOf, Optional, Record, StateShape

RULES = ("k_of_n", "tic_tac_toe", "points", "must_may")
LAYOUTS = ("grid", "list")
FORMATS = ("reading", "video", "project", "discussion", "practice", "other")
TIERS = ("must", "may")
MAX_SIDE = 5
MAX_TILES = MAX_SIDE * MAX_SIDE
MAX_SKILLS = 10
TITLE_MAX_CHARS = 120
DESCRIPTION_MAX_CHARS = 600
LINK_MAX_CHARS = 500
NOTE_MAX_CHARS = 500
NOTE_MAX_BYTES = 1500
MAX_MINUTES = 10000
MAX_POINTS = 1000
STATE_VERSION = 1
TILE_KEYS = ("id", "title", "description", "format", "minutes", "points", "skills", "topics", "tier", "link")
_URL_RE = re.compile(r"^https?://[^\s/?#]+[^\s]*$", re.IGNORECASE)


@dataclass(frozen=True)
class Rule:
    """The author's rule. ``k`` serves k_of_n and must_may; caps of 0 mean no cap."""

    kind: str
    k: int = 1
    require_centre: bool = False
    target: int = 0
    must_cap: int = 0
    may_cap: int = 0


@dataclass(frozen=True)
class Board:
    """The tiles and their layout (``side`` is the grid's size when it is square)."""

    tiles: tuple
    layout: str = "list"
    rows: int = 1
    columns: int = 1

    @property
    def ids(self):
        return [tile["id"] for tile in self.tiles]

    @property
    def by_id(self):
        return {tile["id"]: tile for tile in self.tiles}

    @property
    def is_square_grid(self):
        return self.layout == "grid" and self.rows == self.columns and len(self.tiles) == self.rows * self.columns

    @property
    def centre(self):
        """The centre tile's id on an odd square grid, else None."""
        if not self.is_square_grid or self.rows % 2 == 0:
            return None
        middle = self.rows // 2
        return self.tiles[middle * self.columns + middle]["id"]

    def position(self, index):
        """(row, column), both from 1, of the tile at ``index`` in a grid."""
        columns = self.columns if isinstance(self.columns, int) and self.columns > 0 else 1  # garbled: one column
        return index // columns + 1, index % columns + 1


# --- the rules -------------------------------------------------------------------------------

def lines(board, through_centre=False):
    """Every row, column and both diagonals of a square grid, as lists of tile ids."""
    if not board.is_square_grid:
        return []
    side, ids = board.rows, board.ids
    found = [[ids[row * side + col] for col in range(side)] for row in range(side)]
    found += [[ids[row * side + col] for row in range(side)] for col in range(side)]
    found.append([ids[i * side + i] for i in range(side)])
    found.append([ids[i * side + side - 1 - i] for i in range(side)])
    if through_centre:
        centre = board.centre
        found = [line for line in found if centre in line]
    return found


def counted_points(board, rule, chosen):
    """Points of the chosen tiles, each tier limited to its cap (0 = no cap)."""
    by_id = board.by_id
    totals = {"must": 0, "may": 0}
    for tile_id in chosen:
        tile = by_id.get(tile_id)
        if tile is not None:
            totals[tile.get("tier", "may")] += tile.get("points", 0)
    for tier, cap in (("must", rule.must_cap), ("may", rule.may_cap)):
        if cap:
            totals[tier] = min(totals[tier], cap)
    return totals["must"] + totals["may"]


def max_points(board, rule):
    return counted_points(board, rule, board.ids)


def satisfies(board, rule, chosen):
    """Whether the set of tile ids ``chosen`` (ids not on the board are ignored) meets the rule."""
    chosen = set(chosen) & set(board.ids)
    if rule.kind == "k_of_n":
        return len(chosen) == rule.k
    if rule.kind == "tic_tac_toe":
        return any(set(line) <= chosen for line in lines(board, rule.require_centre))
    if rule.kind == "points":
        return counted_points(board, rule, chosen) >= rule.target
    if rule.kind == "must_may":
        musts = {tile["id"] for tile in board.tiles if tile.get("tier") == "must"}
        return musts <= chosen and len(chosen - musts) == rule.k
    return False


def too_many(board, rule, chosen):
    """Why ``chosen`` holds more than the rule can ever allow (a PayloadError), or None."""
    chosen = set(chosen)
    if rule.kind == "k_of_n" and len(chosen) > rule.k:
        return PayloadError("tiles", NP_("This board asks for %(count)s choice; remove it before adding another.",
                                         "This board asks for %(count)s choices; remove one before adding another."),
                            count=rule.k)
    if rule.kind == "must_may":
        musts = {tile["id"] for tile in board.tiles if tile.get("tier") == "must"}
        if len(chosen - musts) > rule.k:
            return PayloadError("tiles", NP_("Choose at most %(count)s may-do activity; remove one first.",
                                             "Choose at most %(count)s may-do activities; remove one first."),
                                count=rule.k)
    return None


def progress(board, rule, chosen):
    """
    Where ``chosen`` stands against the rule: ``{"satisfied", "messages", "value", "out_of"}``.

    Each message is ``(text, params)`` for the block to translate; ``value``/``out_of`` feed a meter.
    """
    chosen = [tile_id for tile_id in chosen if tile_id in board.by_id]
    chosen_set = set(chosen)
    titles = {tile["id"]: tile["title"] for tile in board.tiles}
    done = satisfies(board, rule, chosen_set)
    messages = []
    value, out_of = 0, 1
    if rule.kind == "k_of_n":
        value, out_of = len(chosen_set), rule.k
        messages.append((N_("%(count)s of %(k)s chosen."), {"count": value, "k": rule.k}))
    elif rule.kind == "points":
        value, out_of = counted_points(board, rule, chosen_set), rule.target
        messages.append((NP_("%(points)s of %(count)s point.", "%(points)s of %(count)s points."),
                         {"points": value, "count": rule.target}))
        raw = sum(board.by_id[tile_id].get("points", 0) for tile_id in chosen_set)
        if raw > value:
            messages.append((N_("Some points do not count because a tier has reached its cap."), {}))
    elif rule.kind == "must_may":
        musts = [tile["id"] for tile in board.tiles if tile.get("tier") == "must"]
        must_done = len([tile_id for tile_id in musts if tile_id in chosen_set])
        may_done = len(chosen_set - set(musts))
        value, out_of = must_done + min(may_done, rule.k), len(musts) + rule.k
        messages.append((N_("%(count)s of %(total)s must-do activities chosen."),
                         {"count": must_done, "total": len(musts)}))
        messages.append((N_("%(count)s of %(k)s may-do activities chosen."), {"count": may_done, "k": rule.k}))
    elif rule.kind == "tic_tac_toe":
        value, out_of, line_messages = _line_progress(board, rule, chosen_set, titles)
        messages.extend(line_messages)
    if done:
        messages.append((N_("Your choice meets the rule."), {}))
    return {"satisfied": done, "messages": messages, "value": min(value, out_of), "out_of": max(out_of, 1)}


def _line_progress(board, rule, chosen, titles):
    candidates = lines(board, rule.require_centre)
    if not candidates:
        return 0, 1, []
    side = board.rows
    best = min(candidates, key=lambda line: (len([tile for tile in line if tile not in chosen]),
                                             candidates.index(line)))
    missing = [tile for tile in best if tile not in chosen]
    if not missing:
        return side, side, [(N_("You have a complete line."), {})]
    centre = board.centre
    if missing == [centre]:
        message = (N_("This line still needs the centre tile, %(title)s."), {"title": titles[centre]})
    elif not chosen:
        if rule.require_centre:
            message = (N_("Choose a complete row, column or diagonal that passes through the centre tile."), {})
        else:
            message = (N_("Choose a complete row, column or diagonal."), {})
    else:
        message = (NP_("Your closest line still needs %(count)s more tile: %(titles)s.",
                       "Your closest line still needs %(count)s more tiles: %(titles)s."),
                   {"count": len(missing), "titles": ", ".join(titles[tile] for tile in missing)})
    return side - len(missing), side, [message]


# --- links in tiles and in evidence ---------------------------------------------------------

def is_http_link(value):
    return isinstance(value, str) and bool(_URL_RE.match(value))


# --- learner input -------------------------------------------------------------------------------

def parse_choice(data, board):
    """A ``choose`` payload ``{"tiles": [ids]}``: the learner's whole new selection, in order."""
    only_keys(data, ("tiles",))
    tiles = as_list(require(data, "tiles"), "tiles", max_items=MAX_TILES)
    known, seen = set(board.ids), set()
    for index, tile_id in enumerate(tiles):
        field = f"tiles[{index}]"
        if not isinstance(tile_id, str):
            raise PayloadError(field, N_("Expected a tile id."))
        if tile_id not in known:
            raise PayloadError(field, N_("There is no tile with this id on the board."))
        if tile_id in seen:
            raise PayloadError(field, N_("This tile is listed twice."))
        seen.add(tile_id)
    return list(tiles)


def parse_done(data, board):
    """A ``mark_done`` payload ``{"tile": id, "note": text, "link": url}``: note or link (or both)."""
    only_keys(data, ("tile", "note", "link"))
    tile_id = require(data, "tile")
    if not isinstance(tile_id, str) or tile_id not in board.by_id:
        raise PayloadError("tile", N_("There is no tile with this id on the board."))
    note = as_text(data.get("note", ""), "note", NOTE_MAX_CHARS, NOTE_MAX_BYTES)
    link = as_text(data.get("link", ""), "link", LINK_MAX_CHARS, multiline=False)
    if link and not is_http_link(link):
        raise PayloadError("link", N_("Links must start with http:// or https://."))
    if not note.strip() and not link:
        raise PayloadError("note", N_("Add a short note or a link that shows what you did."))
    return tile_id, note, link


def parse_commit(data):
    only_keys(data, ())


def take_revision(data):
    """Remove and validate the optional ``revision`` the page was rendered at (None when absent)."""
    if "revision" not in data:
        return None
    return as_int(data.pop("revision"), "revision", 0)


# --- learner state ---------------------------------------------------------------------------------

def empty_state():
    return {"version": STATE_VERSION, "chosen": [], "done": {}, "committed_at": None, "completed_at": None,
            "counted": False, "revision": 0}


STORED_SHAPE = Record(
    required={"chosen": ListOf(Record(required={"id": TEXT, "title": TEXT}, defaults={"at": (TEXT, "")})),
              "done": MapOf(Record(required={"at": TEXT}, defaults={"note": (TEXT, ""), "link": (TEXT, "")}))},
    defaults={"committed_at": (Optional(TEXT), None), "completed_at": (Optional(TEXT), None),
              "counted": (FLAG, False), "revision": (COUNT, 0)})


STATE_SHAPE = StateShape(version=STATE_VERSION, default=empty_state, shape=STORED_SHAPE)


def chosen_ids(state):
    return [entry["id"] for entry in state["chosen"]]


def current_choice(state, board, rule):
    """
    The learner's selection. Before their first choice it is every must-do tile (they start
    chosen), unless that is already more than the rule allows.
    """
    if state["counted"] or state["chosen"]:
        return chosen_ids(state)
    musts = [tile["id"] for tile in board.tiles if tile.get("tier") == "must"]
    return musts if too_many(board, rule, musts) is None else []


def stale_choices(state, board):
    """Chosen entries whose tile the author has since removed."""
    known = set(board.ids)
    return [entry for entry in state["chosen"] if entry["id"] not in known]


def choose(state, board, tiles, when):
    """A new state with ``tiles`` as the selection (uncommitted if it changed); dropped tiles lose done marks."""
    if tiles == chosen_ids(state):
        return state
    before = {entry["id"]: entry for entry in state["chosen"]}
    by_id = board.by_id
    chosen = [before.get(tile_id) or {"id": tile_id, "title": by_id[tile_id]["title"], "at": when}
              for tile_id in tiles]
    keep = set(tiles)
    return dict(state, chosen=chosen, done={key: value for key, value in state["done"].items() if key in keep},
                committed_at=None, counted=True, revision=state["revision"] + 1)


def commit(state, when):
    return dict(state, committed_at=when, revision=state["revision"] + 1)


def mark_done(state, tile_id, note, link, when):
    done = dict(state["done"])
    done[tile_id] = {"at": when, "note": note, "link": link}
    return dict(state, done=done, revision=state["revision"] + 1)


def complete(state, board, rule, when):
    """The state with ``completed_at`` set when the done tiles meet the rule (sticky once set)."""
    if state["completed_at"] or not state["committed_at"]:
        return state
    if satisfies(board, rule, [tile_id for tile_id in state["done"] if tile_id in chosen_ids(state)]):
        return dict(state, completed_at=when)
    return state


# --- recommendations --------------------------------------------------------------------------------

def recommendations(board, ratings, known=()):
    """
    ``{tile_id: reason}`` for tiles whose skills match the learner's lowest-rated skills; skills in
    ``known`` (placed as already known) are never suggested.

    ``ratings`` is what a linked self-assessment's ``learner_ratings()`` answers: rows of
    ``{"statement": {"text", "skill"}, "level", "out_of"}``; level 0 ("not sure yet") is left out.
    A reason is ``{"statement", "level", "out_of"}`` naming the lowest-rated statement for that skill.
    """
    rated = [row for row in ratings or () if isinstance(row.get("level"), int) and row["level"] > 0
             and row["statement"].get("skill") not in known]
    if not rated:
        return {}
    lowest = min(row["level"] for row in rated)
    if all(row["level"] >= row["out_of"] for row in rated):
        return {}
    weakest = {}
    for row in rated:
        if row["level"] == lowest:
            weakest.setdefault(row["statement"].get("skill"), row)
    found = {}
    for tile in board.tiles:
        for skill in tile.get("skills", ()):
            if skill in weakest:
                row = weakest[skill]
                found[tile["id"]] = {"statement": row["statement"].get("text", ""), "level": row["level"],
                                     "out_of": row["out_of"], "label": row.get("label", "")}
                break
    return found


def interest_matches(board, interests):
    """``{tile_id: topic label}`` for tiles tagged with a topic the learner picked as an interest."""
    labels = {item["id"]: item["label"] for item in interests or () if isinstance(item, dict) and "id" in item}
    found = {}
    for tile in board.tiles:
        for topic in tile.get("topics", ()):
            if topic in labels:
                found[tile["id"]] = labels[topic]
                break
    return found
