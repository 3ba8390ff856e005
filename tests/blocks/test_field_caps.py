"""
Every stored learner field stays within FIELD_MAX_BYTES as stored (JSON, non-ASCII escaped, as the
LMS writes StudentModule.state): histories drop their oldest entries by size, not only by count,
and a single entry too large on its own is refused with 400 and nothing changed.
"""
import json
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from personalized_path.core.state import FIELD_MAX_BYTES, keep_newest, stored_size
from tests.harness import BlockEnv, WithoutFreshReads, call, field_snapshot

STATEMENTS = [{"id": f"s{number}", "text": f"I can do thing {number}", "skill": "x"} for number in range(30)]
EMOJI = "\N{GRINNING FACE}"  # 4 bytes in UTF-8, 12 when stored (an escaped surrogate pair)


def self_assessment(env, count):
    statements = json.dumps(STATEMENTS[:count])
    return env.load(f"<personalized_self_assessment statements='{statements}'/>")


def submission(count, text):
    return {"ratings": {f"s{number}": 1 for number in range(count)},
            "evidence": {f"s{number}": text for number in range(count)}}


def stored_bytes(block, name="learner_state"):
    return stored_size(block.fields[name].to_json(getattr(block, name)))


@settings(max_examples=150)
@given(sizes=st.lists(st.integers(0, 4000), min_size=1, max_size=40), limit=st.integers(1, 30),
       max_bytes=st.integers(50, 20000))
def test_keep_newest_fits_the_cap_dropping_the_oldest_first(sizes, limit, max_bytes):
    entries = [{"n": number, "text": "x" * size} for number, size in enumerate(sizes)]
    state = keep_newest({"version": 1}, "history", entries, limit, max_bytes)
    kept = state["history"]
    assert kept and kept[-1] == entries[-1]  # the newest always stays
    assert kept == entries[len(entries) - len(kept):]  # a run of the newest, in order
    assert len(kept) <= limit
    assert stored_size(state) <= max_bytes or len(kept) == 1
    if len(kept) < min(limit, len(entries)):  # one more would not have fitted
        assert stored_size(dict(state, history=entries[len(entries) - len(kept) - 1:])) > max_bytes


def test_keep_newest_keeps_a_state_of_exactly_the_cap():
    entries = [{"text": "a" * 10}, {"text": "b" * 10}]
    exact = stored_size({"history": entries})
    assert keep_newest({}, "history", entries, 5, exact)["history"] == entries
    assert keep_newest({}, "history", entries, 5, exact - 1)["history"] == entries[1:]


def test_self_assessment_history_is_trimmed_by_size_to_the_cap(env):
    usage = self_assessment(env, 30)
    big = "é" * 999  # with the round number, 1,000 characters: 6,000 bytes stored, about 180 KB a submission
    for round_number in range(4):
        assert call(env.block(usage), "submit", submission(30, big + str(round_number)))[0] == 200
        block = env.block(usage)
        assert stored_bytes(block) <= FIELD_MAX_BYTES
    history = env.block(usage).learner_state["history"]
    assert len(history) == 1 and history[0]["evidence"]["s0"].endswith("3")  # the newest, alone
    assert set(env.block(usage).learner_state["first"]) == {f"s{number}" for number in range(30)}


def test_self_assessment_keeps_twenty_small_submissions(env):
    usage = self_assessment(env, 3)
    for round_number in range(25):
        assert call(env.block(usage), "submit", submission(3, f"note {round_number}"))[0] == 200
    assert len(env.block(usage).learner_state["history"]) == 20


@pytest.mark.parametrize("fresh_reads", [True, False])
def test_a_single_submission_over_the_cap_is_refused_and_changes_nothing(fresh_reads):
    """Refused alike where the state is read afresh under the lock (the LMS) and where it is not (Studio's preview)."""
    env = BlockEnv() if fresh_reads else WithoutFreshReads()
    usage = self_assessment(env, 30)
    assert call(env.block(usage), "submit", submission(30, "first"))[0] == 200
    before = field_snapshot(env, usage)
    body = json.dumps(submission(30, EMOJI * 750), ensure_ascii=False).encode("utf-8")  # 3,000 bytes each: the limit
    status, data = call(env.block(usage), "submit", body=body)
    assert status == 400 and "more than this activity can keep" in data["error"]
    assert field_snapshot(env, usage) == before


def test_goal_timeline_is_trimmed_by_size_to_the_cap(env):
    usage = env.load("""<personalized_goal_reflection short_term_prompts='["a", "b", "c"]' max_chars="2000"
                        checkin_count="20"/>""")
    long_text = "ü" * 1990
    goals = {goal_id: {"text": long_text, "smart": [], "target_date": (date.today() + timedelta(days=100)).isoformat()}
             for goal_id in ("long", "short-1", "short-2", "short-3")}
    status, data = call(env.block(usage), "save_goals", {"revision": 0, "goals": goals})
    assert status == 200, data
    revision = data["revision"]
    for round_number in range(12):
        status, data = call(env.block(usage), "check_in", {
            "revision": revision, "progress": {goal_id: 1 for goal_id in goals},
            "helped": long_text, "obstacles": long_text, "next_step": f"{long_text[:1980]} {round_number}"})
        assert status == 200, data
        revision = data["revision"]
        assert stored_bytes(env.block(usage)) <= FIELD_MAX_BYTES
    state = env.block(usage).learner_state
    assert state["checkins"] == 12  # the counters keep counting
    assert state["timeline"][-1]["next_step"].endswith(" 11")
    assert len(state["timeline"]) < 13  # trimmed by size before the count cap
