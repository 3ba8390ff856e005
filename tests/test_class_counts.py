"""
Class-wide counts (Scope.user_state_summary) under the summary lock (base.count_in_class), in process.

Each learner's state records what the summary counts for them, so a summary update that could
not be made is made by that learner's next write; and every writer starts from the newest copy.
"""
from personalized_path import base
from tests.harness import call
from tests.test_choice_board_block import board_xml, ok


def chosen_counts(env, usage):
    return {tile: count for tile, count in env.block(usage).tile_counts["chosen"].items() if count}


def test_learners_whose_pages_loaded_before_each_others_saves_are_all_counted(env):
    usage = env.load(board_xml())
    pages = {learner: env.block(usage, learner) for learner in ("ana", "ben", "cy")}
    for page in pages.values():
        page.tile_counts  # pylint: disable=pointless-statement  # each worker read the summary first
    for learner, page in pages.items():
        assert call(page, "choose", {"tiles": ["video"] if learner != "cy" else ["game"]})[0] == 200
    assert env.block(usage).tile_counts["learners"] == 3
    assert chosen_counts(env, usage) == {"video": 2, "game": 1}


def test_an_update_that_could_not_be_made_is_made_by_the_learners_next_write(env, monkeypatch):
    usage = env.load(board_xml())
    monkeypatch.setattr(base, "LOCK_WAIT_SECONDS", 0.1)
    block = env.block(usage, "ana")
    busy = base.CacheLock(env.cache, block.cache_key("summary-lock", "tile_counts"), wait=0, hold=30)
    assert busy.acquire()
    ok(env.block(usage, "ana"), "choose", {"tiles": ["video", "game"]})  # the learner's own save still succeeds
    assert env.block(usage).tile_counts == {}
    assert env.block(usage, "ana").counted_in_class["tile_counts"]["chosen"] == []
    busy.release()
    ok(env.block(usage, "ana"), "commit", {})
    assert env.block(usage).tile_counts["learners"] == 1
    assert chosen_counts(env, usage) == {"video": 1, "game": 1}
    assert env.block(usage, "ana").counted_in_class["tile_counts"]["chosen"] == ["game", "video"]


def test_learners_counted_before_the_record_existed_are_not_counted_twice(env):
    usage = env.load(board_xml())
    ok(env.block(usage, "ana"), "choose", {"tiles": ["video"]})
    older = env.block(usage, "ana")
    older.counted_in_class = {}  # state saved before counts were recorded per learner
    older.save()
    ok(env.block(usage, "ana"), "choose", {"tiles": ["video", "essay"]})
    assert env.block(usage).tile_counts["learners"] == 1
    assert chosen_counts(env, usage) == {"video": 1, "essay": 1}
