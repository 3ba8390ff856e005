"""Choice board block on the XBlock TestRuntime: views, handlers, bad input, links, counts, reports, Studio."""
import json
from collections import namedtuple

import pytest

from personalized_path.core import privacy
from tests.builders import BOARD_TILES, RATED_SELF_ASSESSMENT, board_xml
from tests.harness import call, field_snapshot, html_of, ok, olx_round_trip

GRID = [{"id": f"c{index}", "title": f"Cell {index}", "format": "other", "points": 5, "tier": "may"}
        for index in range(9)]


def play(env, usage, tiles, user="student_1"):
    """Choose ``tiles``, commit, and mark each one done."""
    ok(env.block(usage, user), "choose", {"tiles": tiles})
    ok(env.block(usage, user), "commit", {})
    for tile_id in tiles:
        ok(env.block(usage, user), "mark_done", {"tile": tile_id, "note": f"did {tile_id}"})


# --- the learner's path ----------------------------------------------------------------------------

def test_first_view_shows_every_tile_as_a_button_and_the_rule_with_must_do_tiles_chosen(env):
    usage = env.load(board_xml())
    html = html_of(env.block(usage))
    assert html.count('aria-pressed="false"') == 3 and html.count('aria-pressed="true"') == 1
    assert 'data-tile="read" aria-pressed="true"' in html and "Must do: chosen for you" in html
    assert "Choose 2 of the 4 activities." in html and "1 of 2 chosen." in html
    assert "Watch &lt;the&gt; video" in html and "<the>" not in html  # escaped at output
    assert 'href="https://example.org/v?a=1&amp;b=2"' in html
    assert "Commit to this plan" not in html and 'class="pp-section pp-plan"' not in html


def test_choose_commit_done_completes_with_events_and_completion(env):
    usage = env.load(board_xml())
    data = ok(env.block(usage), "choose", {"tiles": ["video"]})
    # A choice answers with what it changed: the chosen tiles, the progress, the actions and counts.
    assert "html" not in data and sorted(data["parts"]) == ["actions", "progress", "stats"]
    assert "1 of 2 chosen." in data["parts"]["progress"] and data["chosen"] == ["video"]
    data = ok(env.block(usage), "choose", {"tiles": ["video", "game"]})
    assert "Your choice meets the rule." in data["parts"]["progress"]
    assert "Commit to this plan" in data["parts"]["actions"] and data["chosen"] == ["video", "game"]
    data = ok(env.block(usage), "commit", {})
    # Committing adds the plan and changes the actions; the tiles, free to change still, stay.
    assert "html" not in data and sorted(data["parts"]) == ["actions", "plan", "stats"] and data["revision"] == 3
    assert "Your plan" in data["parts"]["plan"] and "0 of 2 done." in data["parts"]["plan"]
    data = ok(env.block(usage), "mark_done", {"tile": "video", "note": "<b>notes</b>", "link": "https://x.org/n"})
    assert not env.events_named("completion")
    assert sorted(data["parts"]) == ["plan", "stats", "tiles"] and 'data-part="tiles"' in data["parts"]["tiles"]
    assert "Done activities stay in your plan." in data["parts"]["tiles"]
    data = ok(env.block(usage), "mark_done", {"tile": "game", "note": "Played twice"})
    assert sorted(data["parts"]) == ["complete", "plan", "stats", "tiles"]
    assert "Board complete" in data["parts"]["complete"] and "&lt;b&gt;notes&lt;/b&gt;" in data["parts"]["plan"]
    state = env.block(usage).learner_state
    assert state["version"] == 1 and state["completed_at"] and set(state["done"]) == {"video", "game"}
    names = [event["name"].rsplit(".", 1)[-1] for event in env.events]
    assert names == ["chose", "chose", "committed", "done", "done", "completion", "completed"]
    assert env.events_named("choice_board.chose")[1]["data"]["added"] == ["game"]
    assert [event["data"]["completion"] for event in env.events_named("completion")] == [1.0]
    assert not env.events_named("grade")


def test_weighted_board_gives_full_credit_when_complete(env):
    usage = env.load(board_xml(weight="2"))
    block = env.block(usage)
    assert block.has_score and block.get_score().raw_earned == 0
    play(env, usage, ["video", "game"])
    grades = env.events_named("grade")
    assert len(grades) == 1 and grades[0]["data"]["value"] == 1.0 and grades[0]["data"]["max_value"] == 1.0
    assert env.block(usage).get_score().raw_earned == 1.0


def test_changing_a_committed_plan_returns_it_to_draft_and_done_tiles_stay(env):
    usage = env.load(board_xml())
    ok(env.block(usage), "choose", {"tiles": ["video", "game"]})
    ok(env.block(usage), "commit", {})
    ok(env.block(usage), "mark_done", {"tile": "video", "note": "done"})
    before = field_snapshot(env, usage)
    status, data = call(env.block(usage), "choose", {"tiles": ["game"]})
    assert status == 400 and "Watch <the> video is marked done" in data["error"]
    assert field_snapshot(env, usage) == before
    data = ok(env.block(usage), "choose", {"tiles": ["video"]})
    assert "Commit to this plan" not in data["html"] and env.block(usage).learner_state["committed_at"] is None
    ok(env.block(usage), "choose", {"tiles": ["video", "essay"]})
    ok(env.block(usage), "commit", {})
    assert env.block(usage).learner_state["done"]["video"]["note"] == "done"


def test_committed_plan_is_locked_when_the_author_forbids_changes(env):
    usage = env.load(board_xml(allow_change="false"))
    ok(env.block(usage), "choose", {"tiles": ["video", "game"]})
    data = ok(env.block(usage), "commit", {})
    assert data["parts"]["tiles"].count(" disabled>") == 4 and "does not allow changes" in data["parts"]["actions"]
    html = html_of(env.block(usage))
    assert html.count(" disabled>") == 4 and "does not allow changes" in html
    before = field_snapshot(env, usage)
    status, data = call(env.block(usage), "choose", {"tiles": ["video", "essay"]})
    assert status == 400 and data["field"] == "tiles" and "does not allow changes" in data["error"]
    assert field_snapshot(env, usage) == before
    ok(env.block(usage), "choose", {"tiles": ["video", "game"]})  # the same plan again is not a change


@pytest.mark.parametrize("rule, attrs, tiles, progress", [
    ("tic_tac_toe", {"layout": "grid", "rows": 3, "columns": 3, "require_centre": "true"}, ["c3", "c5"],
     "This line still needs the centre tile, Cell 4."),
    ("points", {"points_target": 15}, ["c0", "c1"], "10 of 15 points."),
    ("must_may", {"choose_count": 1}, ["c0"], "1 of 1 may-do activities chosen."),
])
def test_progress_is_described_in_words_for_every_rule(env, rule, attrs, tiles, progress):
    usage = env.load(board_xml(GRID, rule=rule, **attrs))
    data = ok(env.block(usage), "choose", {"tiles": tiles})
    assert progress in data["parts"]["progress"]


def test_tic_tac_toe_board_from_empty_to_complete(env):
    usage = env.load(board_xml(GRID, rule="tic_tac_toe", layout="grid", rows=3, columns=3))
    html = html_of(env.block(usage))
    assert "Row 2, column 2 (centre)" in html and "pp-cols-3" in html
    status, data = call(env.block(usage), "commit", {})
    assert status == 400 and data["field"] == "tiles"
    play(env, usage, ["c2", "c4", "c6"])
    assert env.block(usage).learner_state["completed_at"]


def test_must_and_may_refuses_a_choice_beyond_k_but_allows_removing(env):
    usage = env.load(board_xml(rule="must_may", choose_count="1"))
    ok(env.block(usage), "choose", {"tiles": ["read", "video"]})
    before = field_snapshot(env, usage)
    status, data = call(env.block(usage), "choose", {"tiles": ["read", "video", "game"]})
    assert status == 400 and "at most 1 may-do" in data["error"]
    assert field_snapshot(env, usage) == before
    play(env, usage, ["read", "video"])
    assert env.block(usage).learner_state["completed_at"]


def test_done_tiles_show_no_choose_button_and_stay_in_the_plan(env):
    usage = env.load(board_xml())
    ok(env.block(usage), "choose", {"tiles": ["video", "game"]})
    ok(env.block(usage), "commit", {})
    ok(env.block(usage), "mark_done", {"tile": "video", "note": "done"})
    html = html_of(env.block(usage))
    assert 'class="pp-button pp-choose" data-tile="video"' not in html
    assert 'class="pp-button pp-choose" data-tile="game"' in html and "Done activities stay in your plan." in html


def test_must_do_tiles_that_start_chosen_can_be_committed_without_touching_the_board(env):
    tiles = [dict(tile, tier="must") for tile in BOARD_TILES[:2]] + BOARD_TILES[2:]
    usage = env.load(board_xml(tiles, rule="must_may", choose_count="0"))
    html = html_of(env.block(usage))
    assert html.count('aria-pressed="true"') == 2 and "Do every must-do activity." in html
    data = ok(env.block(usage), "commit", {})
    assert "chosen for you" not in data["parts"]["tiles"]  # the notes on must-do tiles go once committed
    state = env.block(usage).learner_state
    assert [entry["id"] for entry in state["chosen"]] == ["video", "read"] and state["committed_at"]
    assert env.block(usage).tile_counts["chosen"] == {"video": 1, "read": 1, "game": 0, "essay": 0}


@pytest.mark.parametrize("attrs, text", [
    ({"rule": "points", "points_target": "1"}, "Choose activities worth at least 1 point."),
    ({"rule": "points", "points_target": "20", "may_points_cap": "1"}, "At most 1 point counts from may-do"),
    ({"rule": "must_may", "choose_count": "1"}, "Do every must-do activity and choose 1 may-do activity."),
    ({"rule": "must_may", "choose_count": "2"}, "Do every must-do activity and choose 2 may-do activities."),
])
def test_rule_text_uses_the_right_plural(env, attrs, text):
    assert text in html_of(env.block(env.load(board_xml(**attrs))))


# --- bad input: 400 naming the problem, nothing changed ------------------------------------------------

BAD = [
    ("choose", {"tiles": ["video", "video"]}, "tiles[1]", "listed twice"),
    ("choose", {"tiles": ["nope"]}, "tiles[0]", "no tile"),
    ("choose", {"tiles": ["video", "game", "essay"]}, "tiles", "asks for 2 choices"),
    ("choose", {"tiles": "video"}, "tiles", "Expected a list"),
    ("choose", {"tiles": [1]}, "tiles[0]", "tile id"),
    ("choose", {"tiles": [], "extra": 1}, "extra", "Unknown key"),
    ("choose", {}, "tiles", "required"),
    ("mark_done", {"tile": "essay", "note": "x"}, "tile", "not chosen"),
    ("mark_done", {"tile": "video", "note": "x" * 501}, "note", "at most 500"),
    ("mark_done", {"tile": "video", "note": "\U0001F600" * 400}, "note", "bytes"),
    ("mark_done", {"tile": "video", "link": "javascript:alert(1)"}, "link", "http"),
    ("mark_done", {"tile": "video", "link": "data:text/html,hi"}, "link", "http"),
    ("mark_done", {"tile": "video"}, "note", "short note or a link"),
    ("mark_done", {"tile": ["video"], "note": "x"}, "tile", "no tile"),
    ("mark_done", {"tile": "video", "note": None}, "note", "Expected text"),
    ("commit", {"now": True}, "now", "Unknown key"),
    ("commit", {}, "", "already committed"),
    ("commit", {"revision": "2"}, "revision", "whole number"),
    ("choose", {"tiles": ["video"], "revision": -1}, "revision", "from 0"),
]


@pytest.mark.parametrize("handler, payload, field, words", BAD)
def test_bad_input_is_refused_naming_the_field_and_changes_nothing(env, handler, payload, field, words):
    usage = env.load(board_xml())
    ok(env.block(usage), "choose", {"tiles": ["video", "game"]})
    ok(env.block(usage), "commit", {})
    before = field_snapshot(env, usage)
    status, data = call(env.block(usage), handler, payload)
    assert status == 400, data
    assert data["field"] == field and words in data["error"]
    assert field_snapshot(env, usage) == before


@pytest.mark.parametrize("body", [b'{"tiles": [NaN]}', b'{"tiles": Infinity}', b"[1]", b"", b"not json",
                                  b'{"tiles": ' + b"[" * 50 + b"]" * 50 + b"}", b'{"tile": "\xff"}'])
@pytest.mark.parametrize("handler", ["choose", "commit", "mark_done"])
def test_malformed_bodies_get_400_never_500(env, handler, body):
    usage = env.load(board_xml())
    before = field_snapshot(env, usage)
    status, _data = call(env.block(usage), handler, body=body)
    assert status == 400
    assert field_snapshot(env, usage) == before


def test_handlers_are_post_only_and_marking_done_needs_a_commitment(env):
    usage = env.load(board_xml())
    assert call(env.block(usage), "choose", method="GET")[0] == 405
    ok(env.block(usage), "choose", {"tiles": ["video"]})
    before = field_snapshot(env, usage)
    status, data = call(env.block(usage), "mark_done", {"tile": "video", "note": "x"})
    assert status == 400 and "Commit your plan" in data["error"]
    status, data = call(env.block(usage), "commit", {})
    assert status == 400 and "does not meet the rule" in data["error"]
    assert field_snapshot(env, usage) == before


def test_a_write_from_a_stale_page_gets_409_with_the_current_board(env):
    usage = env.load(board_xml())
    data = ok(env.block(usage), "choose", {"tiles": ["video"], "revision": 0})
    assert data["revision"] == 1
    ok(env.block(usage), "choose", {"tiles": ["video", "game"], "revision": 1})  # "another tab"
    before = field_snapshot(env, usage)
    status, data = call(env.block(usage), "choose", {"tiles": ["essay"], "revision": 1})
    assert status == 409 and "another tab" in data["error"] and data["stale"] is True and data["revision"] == 2
    assert 'data-revision="2"' in data["html"] and data["html"].count('aria-pressed="true"') == 2
    assert field_snapshot(env, usage) == before
    ok(env.block(usage), "commit", {"revision": 2})
    ok(env.block(usage), "mark_done", {"tile": "game", "note": "x", "revision": 3})
    before = field_snapshot(env, usage)
    status, data = call(env.block(usage), "mark_done", {"tile": "game", "note": "again"})
    assert status == 400 and "already marked done" in data["error"]
    assert call(env.block(usage), "mark_done", {"tile": "video", "note": "y", "revision": 3})[0] == 409
    assert field_snapshot(env, usage) == before


# --- the author changes the board --------------------------------------------------------------------

def edit(env, usage, **values):
    block = env.block(usage, "staff_1", staff=True)
    for name, value in values.items():
        setattr(block, name, value)
    block.save()


def test_a_removed_tile_shows_as_no_longer_available_and_the_learner_chooses_again(env):
    usage = env.load(board_xml(allow_change="false"))
    ok(env.block(usage), "choose", {"tiles": ["video", "game"]})
    ok(env.block(usage), "commit", {})
    edit(env, usage, tiles=[tile for tile in BOARD_TILES if tile["id"] != "game"])
    html = html_of(env.block(usage))
    assert "no longer on the board" in html and "Game</span> (no longer available)" in html
    assert " disabled>" not in html  # the lock lifts so the learner can replace the stale choice
    data = ok(env.block(usage), "choose", {"tiles": ["video", "essay"]})
    assert "no longer on the board" not in data["html"]
    ok(env.block(usage), "commit", {})
    assert [entry["id"] for entry in env.block(usage).learner_state["chosen"]] == ["video", "essay"]


def test_a_board_broken_after_an_edit_renders_a_notice_and_refuses_changes(env):
    usage = env.load(board_xml())
    edit(env, usage, choose_count=9)
    assert "not set up correctly" in html_of(env.block(usage))
    assert "choose_count" in html_of(env.block(usage, "staff_1", staff=True))
    before = field_snapshot(env, usage)
    status, data = call(env.block(usage), "choose", {"tiles": ["video"]})
    assert status == 400 and "not set up correctly" in data["error"]
    assert field_snapshot(env, usage) == before
    edit(env, usage, choose_count=2)  # fixed again: the settings checked before are not reused
    assert "not set up correctly" not in html_of(env.block(usage))
    ok(env.block(usage), "choose", {"tiles": ["video"]})


def test_garbled_learner_state_renders_with_defaults(env, caplog):
    usage = env.load(board_xml())
    block = env.block(usage)
    block.learner_state = {"version": 1, "chosen": "everything", "done": []}
    block.save()
    html = html_of(env.block(usage))
    assert "1 of 2 chosen." in html and "unreadable learner state" in caplog.text
    ok(env.block(usage), "choose", {"tiles": ["video"]})


# --- the linked self-assessment ----------------------------------------------------------------------

def test_suggestions_follow_each_learners_own_ratings(env):
    linked = env.load(RATED_SELF_ASSESSMENT)
    usage = env.load(board_xml(self_assessment=linked))
    assert "Suggested for you" not in html_of(env.block(usage))  # nothing rated yet
    ok(env.block(linked, "ana"), "submit", {"ratings": {"compare": 1, "explain": 3}})
    ok(env.block(linked, "ben"), "submit", {"ratings": {"compare": 4, "explain": 2}})
    html = html_of(env.block(usage, "ana"))
    # Two tiles for the same reason: the reason is said once, above the board, and both tiles are marked.
    assert html.count(' pp-suggested"') == 2
    assert html.count("You rated &quot;I can compare fractions&quot; as &quot;Not yet&quot;.") == 1
    assert "Suggested for you (2 activities, marked below):" in html
    html = html_of(env.block(usage, "ben"))
    assert html.count(' pp-suggested"') == 1 and "marked below" not in html  # one tile: its own reason
    assert html.count("I can explain my reasoning&quot; as &quot;With help&quot;") == 1


def test_a_missing_linked_block_is_ignored(env):
    usage = env.load(board_xml(self_assessment="no-such-block"))
    assert "Suggested for you" not in html_of(env.block(usage))


# --- shared data, mobile, staff, reports ----------------------------------------------------------------

def test_student_view_data_is_the_same_for_everyone_and_holds_no_learner_data(env):
    usage = env.load(board_xml())
    play(env, usage, ["video", "game"], user="ana")
    ana = env.block(usage, "ana").student_view_data()
    assert ana == env.block(usage, "ben").student_view_data()
    assert ana["tiles"] == BOARD_TILES and ana["rule"]["kind"] == "k_of_n"
    assert "did video" not in json.dumps(ana)
    status, state = call(env.block(usage, "ana"), "student_view_user_state", method="GET")
    assert status == 200 and state["learner_state"]["done"]["video"]["note"] == "did video"


def test_counts_are_anonymous_shown_to_staff_and_to_learners_only_when_enabled(env):
    usage = env.load(board_xml())
    play(env, usage, ["video", "game"], user="ana")
    ok(env.block(usage, "ben"), "choose", {"tiles": ["video"]})
    ok(env.block(usage, "ben"), "choose", {"tiles": ["video", "essay"]})
    counts = privacy.live_counts(env.block(usage).tile_counts)
    assert counts == {"version": 1, "learners": 2, "chosen": {"video": 2, "read": 0, "game": 1, "essay": 1},
                      "done": {"video": 1, "read": 0, "game": 1, "essay": 0}}
    assert "ana" not in json.dumps(counts)
    assert "What learners choose" not in html_of(env.block(usage, "ben"))
    staff_html = html_of(env.block(usage, "staff_1", staff=True))
    assert "What learners choose" in staff_html and "2 (100%)" in staff_html and "1 (50%)" in staff_html
    edit(env, usage, show_stats_to_learners=True)
    html = html_of(env.block(usage, "ben"))
    assert "What learners choose" not in html and "appears once at least 5 learners have chosen" in html


UserState = namedtuple("UserState", "username state")


def test_report_rows_list_choices_done_tiles_evidence_and_dates(env):
    usage = env.load(board_xml())
    play(env, usage, ["video", "game"], user="ana")
    ok(env.block(usage, "ben"), "choose", {"tiles": ["essay"]})
    states = [UserState(user, {"learner_state": env.block(usage, user).learner_state}) for user in ("ana", "ben")]
    states.append(UserState("cy", {}))
    states.append(UserState("dee", {"learner_state": "garbled"}))
    rows = list(env.block(usage, "staff_1", staff=True).generate_report_data(iter(states)))
    assert [username for username, _row in rows] == ["ana", "ben"]
    ana = rows[0][1]
    assert ana["chosen"] == "video; game" and ana["done"] == "video; game"
    assert ana["evidence"] == "video: did video; game: did game"
    assert ana["committed_at"] and ana["completed_at"] and ana["first_chosen_at"]
    assert rows[1][1]["completed_at"] == ""
    assert len(list(env.block(usage).generate_report_data(iter(states), limit_responses=1))) == 1


# --- Studio --------------------------------------------------------------------------------------------

def studio_save(env, usage, values):
    return call(env.block(usage, "staff_1", staff=True), "submit_studio_edits", {"values": values, "defaults": []})


@pytest.mark.parametrize("values, words", [
    ({"choose_count": 5}, "cannot choose 5 of 4"),
    ({"rule": "tic_tac_toe"}, "square grid"),
    ({"rule": "tic_tac_toe", "layout": "grid", "rows": 2, "columns": 2}, None),
    ({"rule": "tic_tac_toe", "layout": "grid", "rows": 2, "columns": 2, "require_centre": True}, "no centre"),
    ({"rule": "points", "points_target": 71}, "the most a learner can count is 70"),
    ({"rule": "points", "points_target": 60, "may_points_cap": 30}, "is 50"),
    ({"tiles": BOARD_TILES + [dict(BOARD_TILES[0])]}, "used twice"),
    ({"tiles": [dict(BOARD_TILES[0], link="javascript:alert(1)")], "choose_count": 1}, "http"),
    ({"weight": -1}, "from 0 to"),
    ({"self_assessment": 5}, "Pick a block"),
])
def test_studio_refuses_rules_that_cannot_be_met(env, values, words):
    usage = env.load(board_xml())
    before = field_snapshot(env, usage)
    status, data = studio_save(env, usage, values)
    if words is None:
        assert status == 200, data
        return
    assert status == 400 and words in json.dumps(data)
    assert field_snapshot(env, usage) == before


def test_olx_export_and_import_keep_the_authoring_fields(env):
    usage = env.load(board_xml(GRID, rule="tic_tac_toe", layout="grid", rows=3, columns=3, require_centre="true",
                               self_assessment="course.personalized_self_assessment.d0.u0"))
    _original, block = olx_round_trip(env, usage)
    assert (block.layout, block.rows, block.columns, block.rule, block.require_centre) == ("grid", 3, 3,
                                                                                           "tic_tac_toe", True)
    assert block.tiles == GRID and block.self_assessment == "course.personalized_self_assessment.d0.u0"
