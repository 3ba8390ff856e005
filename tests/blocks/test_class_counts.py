"""
Class-wide counts (Scope.user_state_summary) under the summary lock (ClassCountsMixin.count_in_class), in process.

Each learner's state records what the summary counts for them, so a summary update that could
not be made is made by that learner's next write; and every writer starts from the newest copy.
"""
import json

import pytest
from django.db import DatabaseError, connection
from webob import Request
from workbench.runtime import ID_MANAGER, WorkbenchRuntime

from personalized_path import class_counts, learner_state
from tests.builders import HARD_POOL, board_xml, goals_payload, take
from tests.harness import call, field_snapshot, html_of, ok


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
    monkeypatch.setattr(learner_state, "LOCK_WAIT_SECONDS", 0.1)
    block = env.block(usage, "ana")
    busy = learner_state.CacheLock(env.cache, block.cache_key("summary-lock", "tile_counts"), wait=0, hold=30)
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


def test_calibration_counts_a_learners_first_answers_and_repairs_a_missed_update(env, monkeypatch):
    usage = env.load("<personalized_skill_check check_mode='adaptive' question_budget='2' max_attempts='2' "
                     "questions='" + json.dumps(HARD_POOL[:6]).replace("'", "&apos;") + "'/>")
    monkeypatch.setattr(learner_state, "LOCK_WAIT_SECONDS", 0.1)
    busy = learner_state.CacheLock(env.cache, env.block(usage).cache_key("summary-lock", "class_calibration"),
                                   wait=0, hold=30)
    assert busy.acquire()
    asked, _ = take(env, usage, "ana", lambda _: "no")  # counts busy: nothing counted, nothing recorded
    assert not env.block(usage).class_calibration
    assert env.block(usage, "ana").counted_in_class["class_calibration"] == {}
    busy.release()
    again, _ = take(env, usage, "ana", lambda _: "no")  # a second attempt: new questions, and the missed ones
    counted = env.block(usage, "ana").counted_in_class["class_calibration"]
    # Every first answer but the very first, given at the prior (issue 21: not informed, so not counted).
    assert set(counted) == (set(asked) | set(again)) - {asked[0]}
    counts = env.block(usage).class_calibration
    assert {question: sum(bins["n"]) for question, bins in counts.items() if sum(bins["n"])} == \
        {question: 1 for question in counted}


# --- the staff's recount, and counts a dead lock deferred -------------------------------------------

def test_staff_recount_rebuilds_each_summary_from_the_learners_records(env):
    board = env.load(board_xml())
    assessment = env.load('<personalized_self_assessment show_class_comparison="true"/>')
    goals = env.load("<personalized_goal_reflection/>")
    for number, learner in enumerate(("ana", "ben", "cy")):
        ok(env.block(board, learner), "choose", {"tiles": ["video"] if number else ["game", "essay"]})
        ok(env.block(assessment, learner), "submit", {"ratings": {"explain-idea": 2, "apply-idea": 1 + number}})
    ok(env.block(goals, "ana"), "save_goals", goals_payload())
    exact = {usage: json.dumps(field_snapshot(env, usage, "nobody"), sort_keys=True)
             for usage in (board, assessment, goals)}
    for usage, name in ((board, "tile_counts"), (assessment, "class_distribution"), (goals, "class_counts")):
        assert call(env.block(usage, "ana"), "recount_class", {})[0] == 403  # staff only
        block = env.block(usage)
        setattr(block, name, {"version": 1, "learners": 40})  # drifted
        block.save()
        status, data = call(env.block(usage, "staff", staff=True), "recount_class", {})
        assert status == 200, data
        expected = "Recounted from the records of 3 learners." if usage != goals else \
            "Recounted from the records of 1 learner."
        assert data["message"] == expected
        assert ("Class summary" in data["html"]) == (usage == assessment)  # the others show counts in their view
    assert env.block(board).tile_counts["learners"] == 3 and chosen_counts(env, board) == {
        "video": 2, "game": 1, "essay": 1}
    assert env.block(assessment).class_distribution["learners"] == 3
    assert env.block(goals).class_counts["learners_with_goals"] == 1
    staff_page = env.block(board, "staff", staff=True).render("student_view", {}).body_html()
    assert "Recount now" in staff_page and "Recount now" not in html_of(env.block(board, "ana"))
    for usage in (board, assessment, goals):  # the counts agree with the learners' records (marks aside)
        now = field_snapshot(env, usage, "nobody")
        before = json.loads(exact[usage])
        assert {name: value for name, value in now.items() if name != "class_count_marks"} == \
            {name: value for name, value in before.items() if name != "class_count_marks"}


def test_counts_a_dead_lock_deferred_are_made_by_a_recount_and_stay_exact_afterwards(env):
    usage = env.load(board_xml())
    ok(env.block(usage, "ana"), "choose", {"tiles": ["video"]})
    dead = learner_state.CacheLock(env.cache, env.block(usage).cache_key("summary-lock", "tile_counts"), wait=0,
                                   hold=class_counts.SUMMARY_LOCK_HOLD_SECONDS)
    assert dead.acquire()  # its holder died: nobody releases it until it expires
    ok(env.block(usage, "ana"), "choose", {"tiles": ["game", "essay"]})  # saved, count deferred
    ok(env.block(usage, "ben"), "choose", {"tiles": ["video"]})
    assert env.block(usage).tile_counts["learners"] == 1 and chosen_counts(env, usage) == {"video": 1}
    staff = env.block(usage, "staff", staff=True)
    status, data = call(staff, "recount_class", {})
    assert status == 409 and "Try again in a moment" in data["error"]
    dead.release()  # expired
    assert call(env.block(usage, "staff", staff=True), "recount_class", {})[0] == 200
    assert env.block(usage).tile_counts["learners"] == 2
    assert chosen_counts(env, usage) == {"video": 1, "game": 1, "essay": 1}
    # Ana's record still holds what was counted for her before the recount: her next write must
    # start from what the recount counted (her state), not from that record.
    ok(env.block(usage, "ana"), "choose", {"tiles": ["video", "game"]})
    ok(env.block(usage, "ben"), "choose", {"tiles": ["essay"]})
    assert env.block(usage).tile_counts["learners"] == 2
    assert chosen_counts(env, usage) == {"video": 1, "game": 1, "essay": 1}


def test_a_dead_count_lock_delays_other_learners_by_its_short_wait_only():
    """The bound the multi-process test measures: a learner waits SUMMARY_LOCK_WAIT_SECONDS at most, then saves."""
    assert class_counts.SUMMARY_LOCK_WAIT_SECONDS < 1 <= class_counts.SUMMARY_LOCK_HOLD_SECONDS


@pytest.mark.django_db
def test_a_save_that_fails_midway_leaves_neither_the_learners_write_nor_its_count():
    """
    On the workbench's database, as in the LMS: the learner's row and the summary's row are written
    in one transaction. The database fails on the second row written (Django's documented query
    hook stands in for a database that goes away mid-request).
    """
    ID_MANAGER.set_scenario("counts-fault")
    usage = WorkbenchRuntime("author").parse_xml_string(board_xml())

    def choose(learner, tiles):
        runtime = WorkbenchRuntime(learner)
        request = Request.blank("/", method="POST", body=json.dumps({"tiles": tiles}).encode("utf-8"),
                                headers={"Content-Type": "application/json"})
        return runtime.handle(runtime.get_block(usage), "choose", request)
    assert choose("ana", ["video"]).status_code == 200
    writes = []

    def fail_the_second_row_written(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith(("UPDATE", "INSERT")) and "workbench_xblockstate" in sql:
            writes.append(sql)
            if len(writes) == 2:
                raise DatabaseError("the database went away")
        return execute(sql, params, many, context)
    with pytest.raises(DatabaseError), connection.execute_wrapper(fail_the_second_row_written):
        choose("ben", ["game"])
    assert len(writes) == 2
    board = WorkbenchRuntime("ben").get_block(usage)
    assert board.state()["chosen"] == []
    assert board.tile_counts["learners"] == 1 and board.tile_counts["chosen"]["game"] == 0
    assert choose("ben", ["game"]).status_code == 200  # and once the database is back, all is counted
    board = WorkbenchRuntime("ben").get_block(usage)
    assert board.tile_counts["learners"] == 2 and board.tile_counts["chosen"]["game"] == 1
