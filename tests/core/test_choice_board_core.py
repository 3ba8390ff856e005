"""Choice-board rules, validation, state and counts: pure functions, with properties checked by hypothesis."""
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from personalized_path.core import choice_board as core
from personalized_path.core import choice_board_counts as board_counts
from personalized_path.core import choice_board_settings as board_settings


def tile(tile_id, points=0, tier="may", skills=(), **extra):
    return dict({"id": tile_id, "title": tile_id.upper(), "points": points, "tier": tier, "skills": list(skills)},
                **extra)


def grid(side):
    return core.Board(tiles=tuple(tile(f"t{index}") for index in range(side * side)), layout="grid",
                      rows=side, columns=side)


def full_line_by_coordinates(side, chosen, through_centre=False):
    """Reference tic-tac-toe check, written independently from core.lines: by (row, column)."""
    cells = {(int(tile_id[1:]) // side, int(tile_id[1:]) % side) for tile_id in chosen}
    middle = side // 2
    candidates = [[(row, col) for col in range(side)] for row in range(side)]
    candidates += [[(row, col) for row in range(side)] for col in range(side)]
    candidates += [[(i, i) for i in range(side)], [(i, side - 1 - i) for i in range(side)]]
    if through_centre:
        candidates = [line for line in candidates if (middle, middle) in line]
    return any(all(cell in cells for cell in line) for line in candidates)


# --- tic-tac-toe -------------------------------------------------------------------------------------

def test_tic_tac_toe_on_3x3_accepts_exactly_the_sets_holding_a_line():
    board = grid(3)
    rule = core.Rule("tic_tac_toe")
    centre_rule = core.Rule("tic_tac_toe", require_centre=True)
    accepted = 0
    for size in range(10):
        for chosen in itertools.combinations(board.ids, size):
            assert core.satisfies(board, rule, chosen) == full_line_by_coordinates(3, chosen)
            assert core.satisfies(board, centre_rule, chosen) == full_line_by_coordinates(3, chosen, True)
            accepted += core.satisfies(board, rule, chosen)
    # 8 lines; 282 by inclusion-exclusion over the lines (sum of (-1)^(r+1) 2^(9 - |union|)).
    assert accepted == 282


@settings(max_examples=300)
@given(side=st.integers(2, 5), data=st.data())
def test_tic_tac_toe_matches_the_coordinate_reference(side, data):
    board = grid(side)
    chosen = data.draw(st.sets(st.sampled_from(board.ids)))
    centre = side % 2 == 1 and data.draw(st.booleans())
    rule = core.Rule("tic_tac_toe", require_centre=centre)
    assert core.satisfies(board, rule, chosen) == full_line_by_coordinates(side, chosen, centre)
    status = core.progress(board, rule, chosen)
    assert status["satisfied"] == core.satisfies(board, rule, chosen)
    assert 0 <= status["value"] <= status["out_of"]


def test_tic_tac_toe_progress_names_the_missing_centre():
    board = grid(3)
    rule = core.Rule("tic_tac_toe", require_centre=True)
    status = core.progress(board, rule, ["t3", "t5"])
    assert status["messages"] == [("This line still needs the centre tile, %(title)s.", {"title": "T4"})]
    status = core.progress(board, rule, ["t0"])
    text, params = status["messages"][0]
    assert params["count"] == 2 and "T4" in params["titles"]
    assert core.progress(board, rule, ["t0", "t4", "t8"])["satisfied"]
    # the top row is a line, but not through the centre
    assert not core.progress(board, rule, ["t0", "t1", "t2"])["satisfied"]


# --- k of n, points, must and may ---------------------------------------------------------------------

@settings(max_examples=200)
@given(n=st.integers(1, 12), data=st.data())
def test_k_of_n_accepts_exactly_sets_of_size_k(n, data):
    board = core.Board(tiles=tuple(tile(f"t{index}") for index in range(n)))
    k = data.draw(st.integers(1, n))
    chosen = data.draw(st.sets(st.sampled_from(board.ids)))
    rule = core.Rule("k_of_n", k=k)
    assert core.satisfies(board, rule, chosen) == (len(chosen) == k)
    assert (core.too_many(board, rule, chosen) is not None) == (len(chosen) > k)
    assert core.progress(board, rule, chosen)["messages"][0] == ("%(count)s of %(k)s chosen.",
                                                                 {"count": len(chosen), "k": k})


@settings(max_examples=200)
@given(points=st.lists(st.tuples(st.integers(0, 50), st.sampled_from(core.TIERS)), min_size=1, max_size=10),
       caps=st.tuples(st.integers(0, 100), st.integers(0, 100)), target=st.integers(1, 200), data=st.data())
def test_points_count_each_tier_up_to_its_cap(points, caps, target, data):
    board = core.Board(tiles=tuple(tile(f"t{i}", value, tier) for i, (value, tier) in enumerate(points)))
    rule = core.Rule("points", target=target, must_cap=caps[0], may_cap=caps[1])
    chosen = data.draw(st.sets(st.sampled_from(board.ids)))
    total = {"must": 0, "may": 0}
    for index, (value, tier) in enumerate(points):
        if f"t{index}" in chosen:
            total[tier] += value
    counted = sum(min(total[tier], cap) if cap else total[tier] for tier, cap in zip(core.TIERS, caps))
    assert core.counted_points(board, rule, chosen) == counted
    assert core.satisfies(board, rule, chosen) == (counted >= target)
    # adding a tile never breaks a satisfied points choice
    if core.satisfies(board, rule, chosen):
        assert core.satisfies(board, rule, set(board.ids))
    assert core.too_many(board, rule, chosen) is None


@settings(max_examples=200)
@given(tiers=st.lists(st.sampled_from(core.TIERS), min_size=1, max_size=10), data=st.data())
def test_must_may_needs_every_must_and_exactly_k_mays(tiers, data):
    board = core.Board(tiles=tuple(tile(f"t{i}", tier=tier) for i, tier in enumerate(tiers)))
    musts = {f"t{i}" for i, tier in enumerate(tiers) if tier == "must"}
    k = data.draw(st.integers(0, len(tiers) - len(musts)))
    chosen = data.draw(st.sets(st.sampled_from(board.ids)))
    rule = core.Rule("must_may", k=k)
    assert core.satisfies(board, rule, chosen) == (musts <= chosen and len(chosen - musts) == k)
    assert (core.too_many(board, rule, chosen) is not None) == (len(chosen - musts) > k)


def test_ids_not_on_the_board_never_count():
    board = core.Board(tiles=(tile("a", 10), tile("b", 10)))
    assert not core.satisfies(board, core.Rule("k_of_n", k=2), ["a", "gone"])
    assert core.counted_points(board, core.Rule("points", target=5), ["gone"]) == 0


# --- Studio validation ---------------------------------------------------------------------------------

def fields(problems):
    return [problem.field for problem in problems]


def test_a_sound_board_has_no_problems():
    board = grid(3)
    assert board_settings.validate_config(board, core.Rule("tic_tac_toe", require_centre=True)) == []
    assert board_settings.validate_config(board, core.Rule("k_of_n", k=9)) == []


@pytest.mark.parametrize("board, rule, field, words", [
    (grid(2), core.Rule("k_of_n", k=5), "choose_count", "cannot choose 5 of 4"),
    (grid(2), core.Rule("k_of_n", k=0), "choose_count", "from 1 to 4"),
    (core.Board(tiles=tuple(tile(f"t{i}") for i in range(6)), layout="grid", rows=2, columns=3),
     core.Rule("tic_tac_toe"), "rule", "square grid"),
    (core.Board(tiles=(tile("a"), tile("b"), tile("c"))), core.Rule("tic_tac_toe"), "rule", "square grid"),
    (grid(4), core.Rule("tic_tac_toe", require_centre=True), "require_centre", "no centre"),
    (core.Board(tiles=(tile("a", 10), tile("b", 20, "must"))), core.Rule("points", target=31), "points_target",
     "the most a learner can count is 30"),
    (core.Board(tiles=(tile("a", 10), tile("b", 20))), core.Rule("points", target=25, may_cap=20),
     "points_target", "is 20"),
    (core.Board(tiles=(tile("a", 10),)), core.Rule("points", target=0), "points_target", "at least 1"),
    (core.Board(tiles=(tile("a", tier="must"), tile("b"))), core.Rule("must_may", k=2), "choose_count", "has 1"),
    (core.Board(tiles=(tile("a"), tile("b"))), core.Rule("must_may", k=0), "choose_count", "at least one"),
    (core.Board(tiles=(tile("a"), tile("a"))), core.Rule("k_of_n"), "tiles[1].id", "used twice"),
    (core.Board(tiles=()), core.Rule("k_of_n"), "tiles", "at least one"),
    (core.Board(tiles=(tile("a", link="javascript:alert(1)"),)), core.Rule("k_of_n"), "tiles[0].link", "http"),
    (core.Board(tiles=(tile("a", link="ftp://example.org/x"),)), core.Rule("k_of_n"), "tiles[0].link", "http"),
    (core.Board(tiles=(tile("a", format="podcast"),)), core.Rule("k_of_n"), "tiles[0].format", "reading"),
    (core.Board(tiles=(tile("a", tier="should"),)), core.Rule("k_of_n"), "tiles[0].tier", "must"),
    (core.Board(tiles=(tile("a", points=1.5),)), core.Rule("k_of_n"), "tiles[0].points", "whole number"),
    (core.Board(tiles=(tile("a", skills=["Not A Slug"]),)), core.Rule("k_of_n"), "tiles[0].skills[0]", "short id"),
    (core.Board(tiles=(dict(tile("a"), colour="red"),)), core.Rule("k_of_n"), "tiles[0]", "Unknown key"),
    (core.Board(tiles=tuple(tile(f"t{i}") for i in range(5)), layout="grid", rows=2, columns=2),
     core.Rule("k_of_n"), "tiles", "needs 4 tiles"),
    (core.Board(tiles=tuple(tile(f"t{i}") for i in range(6)), layout="grid", rows=6, columns=1),
     core.Rule("k_of_n"), "rows", "from 1 to 5"),
    (core.Board(tiles=(tile("a"),), layout="spiral"), core.Rule("k_of_n"), "layout", "grid"),
    (core.Board(tiles=(tile("a"),)), core.Rule("lottery"), "rule", "k_of_n"),
])
def test_studio_refuses_boards_that_cannot_work(board, rule, field, words):
    problems = board_settings.validate_config(board, rule)
    assert fields(problems)[0] == field
    assert words in problems[0].render()


def test_an_http_link_is_fine():
    board = core.Board(tiles=(tile("a", link="https://example.org/unit?x=1"), tile("b", link="http://x.org")))
    assert board_settings.validate_config(board, core.Rule("k_of_n", k=1)) == []


# --- learner payloads ------------------------------------------------------------------------------------

def test_choice_payloads_name_the_bad_entry():
    board = grid(2)
    assert core.parse_choice({"tiles": ["t0", "t3"]}, board) == ["t0", "t3"]
    for payload, field in [({"tiles": ["t0", "t0"]}, "tiles[1]"), ({"tiles": ["zz"]}, "tiles[0]"),
                           ({"tiles": [1]}, "tiles[0]"), ({"tiles": "t0"}, "tiles"), ({}, "tiles"),
                           ({"tiles": [], "more": 1}, "more"), ({"tiles": ["t0"] * 26}, "tiles")]:
        with pytest.raises(core.PayloadError) as caught:
            core.parse_choice(payload, board)
        assert caught.value.field == field


def test_done_payloads_need_a_note_or_an_http_link():
    board = grid(2)
    assert core.parse_done({"tile": "t1", "note": "Wrote it up"}, board) == ("t1", "Wrote it up", "")
    assert core.parse_done({"tile": "t1", "link": "https://x.org/a"}, board) == ("t1", "", "https://x.org/a")
    for payload, field in [({"tile": "t1"}, "note"), ({"tile": "t1", "note": "   "}, "note"),
                           ({"tile": "t1", "link": "javascript:alert(1)"}, "link"),
                           ({"tile": "t1", "note": "x" * (core.NOTE_MAX_CHARS + 1)}, "note"),
                           ({"tile": "t1", "note": "\U0001F600" * 400}, "note"),  # 400 characters, 1600 bytes
                           ({"tile": "nope", "note": "x"}, "tile"), ({"tile": 3, "note": "x"}, "tile"),
                           ({"tile": "t1", "note": 5}, "note")]:
        with pytest.raises(core.PayloadError) as caught:
            core.parse_done(payload, board)
        assert caught.value.field == field


# --- state -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("stored", [
    "garbage", {"version": 99}, {"version": 1, "chosen": "x", "done": {}},
    {"version": 1, "chosen": [{"id": 3}], "done": {}}, {"version": 1, "chosen": [], "done": {"a": {}}},
    {"version": 1, "chosen": [], "done": {}, "committed_at": 5}, {"version": "1"},
    {"version": 1, "chosen": [], "done": {}, "revision": -1},
    {"version": 1, "chosen": [], "done": {}, "revision": True},
])
def test_garbled_state_reads_as_empty(stored):
    state, problem = core.STATE_SHAPE.read(stored)
    assert state == core.empty_state() and problem


def test_state_round_trip_and_choose_keeps_first_choice_dates():
    board = grid(2)
    state = core.choose(core.empty_state(), board, ["t0"], "2026-01-01T00:00:00+00:00")
    state = core.choose(state, board, ["t0", "t1"], "2026-01-02T00:00:00+00:00")
    assert [entry["at"][:10] for entry in state["chosen"]] == ["2026-01-01", "2026-01-02"]
    state = core.commit(state, "2026-01-03T00:00:00+00:00")
    assert core.choose(state, board, ["t0", "t1"], "x") is state  # no change keeps the commitment
    changed = core.choose(core.mark_done(state, "t0", "n", "", "w"), board, ["t0"], "2026-01-04T00:00:00+00:00")
    assert changed["committed_at"] is None and set(changed["done"]) == {"t0"}
    assert core.STATE_SHAPE.read(changed) == (changed, None)
    assert changed["revision"] == 5  # five changes; the no-op choose did not count


def test_completion_needs_a_commitment_and_done_tiles_meeting_the_rule():
    board, rule = grid(2), core.Rule("k_of_n", k=2)
    state = core.choose(core.empty_state(), board, ["t0", "t1"], "a")
    state = core.mark_done(state, "t0", "n", "", "b")
    assert core.complete(state, board, rule, "c")["completed_at"] is None
    state = core.commit(state, "c")
    assert core.complete(state, board, rule, "d")["completed_at"] is None
    state = core.complete(core.mark_done(state, "t1", "", "https://x.org", "e"), board, rule, "f")
    assert state["completed_at"] == "f"
    assert core.complete(state, board, rule, "g")["completed_at"] == "f"


def test_stale_choices_are_the_ones_no_longer_on_the_board():
    state = core.choose(core.empty_state(), grid(2), ["t0", "t3"], "a")
    smaller = core.Board(tiles=(tile("t0"),))
    assert [entry["id"] for entry in core.stale_choices(state, smaller)] == ["t3"]


# --- recommendations -------------------------------------------------------------------------------------

def rating(text, skill, level, out_of=4):
    return {"statement": {"id": text, "text": text, "skill": skill}, "level": level, "out_of": out_of}


def test_tiles_matching_the_lowest_rated_skill_are_suggested_with_the_reason():
    board = core.Board(tiles=(tile("a", skills=["fractions"]), tile("b", skills=["reasoning"]),
                              tile("c", skills=["other", "fractions"]), tile("d")))
    found = core.recommendations(board, [rating("I can compare", "fractions", 1), rating("I can explain",
                                                                                         "reasoning", 3)])
    assert found == {"a": {"statement": "I can compare", "level": 1, "out_of": 4, "label": ""},
                     "c": {"statement": "I can compare", "level": 1, "out_of": 4, "label": ""}}
    # "not sure yet" (0) is not a rating; all at the top means nothing to suggest
    assert set(core.recommendations(board, [rating("x", "fractions", 0), rating("y", "reasoning", 2)])) == {"b"}
    assert core.recommendations(board, [rating("x", "fractions", 4)]) == {}
    assert core.recommendations(board, []) == {}
    # a skill placed as already known is never suggested, however it was rated
    placed = core.recommendations(board, [rating("I can compare", "fractions", 1), rating("y", "reasoning", 3)],
                                  known={"fractions"})
    assert set(placed) == {"b"}


# --- anonymous counts ----------------------------------------------------------------------------------------

contributions = st.one_of(
    st.none(), st.text(max_size=3),
    st.fixed_dictionaries({"learner": st.booleans() | st.integers(),
                           "chosen": st.lists(st.sampled_from(["t0", "t1", "x"])),
                           "done": st.lists(st.sampled_from(["t0", "t1", "x"])) | st.text(max_size=3)}))


@settings(max_examples=200)
@given(stored=st.one_of(st.none(), st.text(), st.dictionaries(st.text(max_size=5), st.integers() | st.text())),
       moves=st.lists(st.tuples(contributions, contributions)))
def test_counts_stay_bounded_and_non_negative_whatever_was_stored(stored, moves):
    board = core.Board(tiles=(tile("t0"), tile("t1")))
    summary = {"version": 1, "learners": stored, "chosen": stored, "done": stored} if stored is not None else None
    for old, new in moves:
        summary = board_counts.update_summary(summary, board, old, new)
    summary = board_counts.update_summary(summary, board, None, None)
    assert set(summary["chosen"]) == set(summary["done"]) == {"t0", "t1"}
    assert all(value >= 0 for bucket in ("chosen", "done") for value in summary[bucket].values())
    table = board_counts.share_table(summary, board)
    assert all(0 <= row[key] <= 100 for row in table["rows"] for key in ("chosen_percent", "done_percent"))


def learner(*chosen, done=()):
    return {"learner": True, "chosen": list(chosen), "done": list(done)}


def test_counts_are_the_sum_of_the_learners_contributions():
    board = core.Board(tiles=(tile("t0"), tile("t1"), tile("t2")))
    summary = board_counts.update_summary(None, board, None, learner("t0", "t1"))
    summary = board_counts.update_summary(summary, board, None, learner("t1"))
    summary = board_counts.update_summary(summary, board, learner("t1"), learner("t1", "t2", done=["t1"]))
    assert summary == {"version": 1, "learners": 2, "chosen": {"t0": 1, "t1": 2, "t2": 1},
                       "done": {"t0": 0, "t1": 1, "t2": 0}}
    state = dict(core.empty_state(), counted=True, chosen=[{"id": "t2", "at": "x"}, {"id": "t0", "at": "x"}],
                 done={"t0": {"note": "", "link": "", "at": "x"}})
    assert board_counts.class_contribution(state) == {"learner": True, "chosen": ["t0", "t2"], "done": ["t0"]}


def test_counts_tolerate_a_lost_increment():
    board = core.Board(tiles=(tile("t0"),))
    summary = board_counts.update_summary(None, board, learner("t0"), None)  # the matching add was lost
    assert summary["chosen"]["t0"] == 0 and summary["learners"] == 0
    summary = board_counts.update_summary({"version": 1, "learners": 1, "chosen": {"t0": 3}, "done": {}}, board,
                                          None, None)
    assert board_counts.share_table(summary, board)["rows"][0]["chosen_percent"] == 100
