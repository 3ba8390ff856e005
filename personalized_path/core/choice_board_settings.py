"""
The choice board's settings as its author saves them: each tile checked, the layout, and whether
the rule can be met on this board. Every problem comes back as a PayloadError naming its field.
"""
from . import N_
from .choice_board import (DESCRIPTION_MAX_CHARS, FORMATS, LAYOUTS, LINK_MAX_CHARS, MAX_MINUTES, MAX_POINTS,
                           MAX_SIDE, MAX_SKILLS, MAX_TILES, RULES, TIERS, TILE_KEYS, TITLE_MAX_CHARS, is_http_link,
                           max_points)
from .payload import PayloadError, as_int, as_list, as_object, as_slug, as_text, only_keys, require


def parse_tile(tile, where):
    as_object(tile, where)
    only_keys(tile, TILE_KEYS, where)
    as_slug(require(tile, "id", where), f"{where}.id")
    as_text(require(tile, "title", where), f"{where}.title", TITLE_MAX_CHARS, min_chars=1, multiline=False)
    as_text(tile.get("description", ""), f"{where}.description", DESCRIPTION_MAX_CHARS)
    if tile.get("format") == "":
        raise PayloadError(f"{where}.format", N_("Choose the kind of activity."))
    if tile.get("format", "other") not in FORMATS:
        raise PayloadError(f"{where}.format", N_("Use one of: %(choices)s."), choices=", ".join(FORMATS))
    as_int(tile.get("minutes", 0), f"{where}.minutes", 0, MAX_MINUTES)
    as_int(tile.get("points", 0), f"{where}.points", 0, MAX_POINTS)
    for key in ("skills", "topics"):  # topics: the learning plan's interest topics this tile is about
        for index, slug in enumerate(as_list(tile.get(key, []), f"{where}.{key}", MAX_SKILLS)):
            as_slug(slug, f"{where}.{key}[{index}]")
    if tile.get("tier", "may") not in TIERS:
        raise PayloadError(f"{where}.tier", N_("Use one of: %(choices)s."), choices=", ".join(TIERS))
    link = tile.get("link", "")
    as_text(link, f"{where}.link", LINK_MAX_CHARS, multiline=False)
    if link and not is_http_link(link):
        raise PayloadError(f"{where}.link", N_("Links must start with http:// or https://."))


def validate_config(board, rule):
    """Every problem with the author's settings, as PayloadErrors (empty when the board works)."""
    problems = []
    try:
        as_list(list(board.tiles), "tiles", max_items=MAX_TILES)
        if not board.tiles:
            raise PayloadError("tiles", N_("Add at least one tile."))
        seen = set()
        for index, tile in enumerate(board.tiles):
            parse_tile(tile, f"tiles[{index}]")
            if tile["id"] in seen:
                raise PayloadError(f"tiles[{index}].id", N_("The id %(id)s is used twice."), id=tile["id"])
            seen.add(tile["id"])
    except PayloadError as error:
        return [error]
    if board.layout not in LAYOUTS:
        problems.append(PayloadError("layout", N_("Use one of: %(choices)s."), choices=", ".join(LAYOUTS)))
    elif board.layout == "grid":
        for name, value in (("rows", board.rows), ("columns", board.columns)):
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_SIDE:
                problems.append(PayloadError(name, N_("Expected a number from %(minimum)s to %(maximum)s."),
                                             minimum=1, maximum=MAX_SIDE))
        if not problems and len(board.tiles) != board.rows * board.columns:
            problems.append(PayloadError("tiles", N_("A %(rows)s x %(columns)s grid needs %(count)s tiles; "
                                                     "there are %(tiles)s."),
                                         rows=board.rows, columns=board.columns, count=board.rows * board.columns,
                                         tiles=len(board.tiles)))
    if problems:
        return problems
    return _validate_rule(board, rule)


def _validate_rule(board, rule):
    n = len(board.tiles)
    if rule.kind not in RULES:
        return [PayloadError("rule", N_("Use one of: %(choices)s."), choices=", ".join(RULES))]
    for name, setting in (("k", "choose_count"), ("target", "points_target"), ("must_cap", "must_points_cap"),
                          ("may_cap", "may_points_cap")):
        value = getattr(rule, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            return [PayloadError(setting, N_("Expected a whole number of 0 or more."))]
    if rule.kind == "k_of_n" and not 1 <= rule.k <= n:
        return [PayloadError("choose_count", N_("Learners cannot choose %(k)s of %(n)s tiles: "
                                                "use a number from 1 to %(n)s."), k=rule.k, n=n)]
    if rule.kind == "must_may":
        mays = len([tile for tile in board.tiles if tile.get("tier", "may") == "may"])
        if rule.k > mays:
            return [PayloadError("choose_count", N_("Learners cannot choose %(k)s may-do tiles: the board has "
                                                    "%(n)s."), k=rule.k, n=mays)]
        if rule.k == 0 and mays == n:
            return [PayloadError("choose_count", N_("With no must-do tiles, ask for at least one may-do tile."))]
    if rule.kind == "tic_tac_toe":
        if not board.is_square_grid or board.rows < 2:
            return [PayloadError("rule", N_("Tic-tac-toe needs a square grid of at least 2 x 2 (this board is "
                                            "%(rows)s x %(columns)s)."),
                                 rows=board.rows if board.layout == "grid" else n,
                                 columns=board.columns if board.layout == "grid" else 1)]
        if rule.require_centre and board.rows % 2 == 0:
            return [PayloadError("require_centre", N_("A %(side)s x %(side)s board has no centre tile."),
                                 side=board.rows)]
    if rule.kind == "points":
        if rule.target < 1:
            return [PayloadError("points_target", N_("Set a points target of at least 1."))]
        reachable = max_points(board, rule)
        if reachable < rule.target:
            return [PayloadError("points_target", N_("No choice can reach %(target)s points: the most a learner "
                                                     "can count is %(reachable)s."),
                                 target=rule.target, reachable=reachable)]
    return []
