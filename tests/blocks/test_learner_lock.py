"""
The per-learner write lock every JSON handler runs under (LearnerStateMixin.learner_lock), in process.

The multi-process test (http/test_concurrency_multiprocess.py) shows it under a real server; these
pin down each path: a fresh read under the lock, a busy lock, and a runtime that cannot re-read.
"""
import pytest

from personalized_path import learner_state
from tests.harness import WithoutFreshReads, call, field_snapshot

SELF_ASSESSMENT = """<personalized_self_assessment
  statements='[{"id": "compare", "text": "I can compare fractions", "skill": "fractions"}]'/>"""


@pytest.fixture
def usage(env):
    return env.load(SELF_ASSESSMENT)


def submit(block, level):
    return call(block, "submit", {"ratings": {"compare": level}})


def test_a_tab_loaded_before_another_tabs_save_still_keeps_both(env, usage):
    first_tab, second_tab = env.block(usage), env.block(usage)
    first_tab.learner_state  # pylint: disable=pointless-statement  # both tabs read the state now
    second_tab.learner_state  # pylint: disable=pointless-statement
    assert submit(first_tab, 1)[0] == 200
    assert submit(second_tab, 2)[0] == 200  # read afresh under the lock: the first save is kept
    history = env.block(usage).learner_state["history"]
    assert [entry["ratings"]["compare"] for entry in history] == [1, 2]


def test_a_busy_lock_answers_409_and_changes_nothing(env, usage, monkeypatch):
    monkeypatch.setattr(learner_state, "LOCK_WAIT_SECONDS", 0.2)
    before = field_snapshot(env, usage)
    held = env.block(usage).lock_for("student_1")
    assert held.acquire()
    status, data = submit(env.block(usage), 1)
    assert status == 409 and data["busy"] is True
    assert "still being saved" in data["error"]
    assert field_snapshot(env, usage) == before
    held.release()
    assert submit(env.block(usage), 1)[0] == 200


def test_each_learner_and_block_has_its_own_lock(env, usage, monkeypatch):
    monkeypatch.setattr(learner_state, "LOCK_WAIT_SECONDS", 0.2)
    held = env.block(usage).lock_for("student_1")
    assert held.acquire()
    assert submit(env.block(usage, user_id="student_2"), 1)[0] == 200
    other = env.load(SELF_ASSESSMENT)
    assert submit(env.block(other), 1)[0] == 200
    held.release()


def test_an_expired_lock_is_not_released_by_its_old_holder(env, usage):
    block = env.block(usage)
    env.cache.clear()
    old = block.lock_for("student_1")
    old.hold = 0.05
    assert old.acquire()
    new = block.lock_for("student_1")
    new.wait = 2
    assert new.acquire()  # the old one expired
    old.release()  # must not free the new holder's lock
    assert env.cache.get(new.key) == new.token
    new.release()
    assert env.cache.get(new.key) is None


def test_without_fresh_reads_a_stale_tab_gets_409_and_a_retry_passes():
    env = WithoutFreshReads()
    usage = env.load(SELF_ASSESSMENT)
    first_tab, second_tab = env.block(usage), env.block(usage)
    first_tab.learner_state  # pylint: disable=pointless-statement
    second_tab.learner_state  # pylint: disable=pointless-statement
    assert submit(first_tab, 1)[0] == 200
    status, data = submit(second_tab, 2)
    assert status == 409 and data["stale"] is True
    assert [entry["ratings"]["compare"] for entry in env.block(usage).learner_state["history"]] == [1]
    assert submit(env.block(usage), 2)[0] == 200  # a reload reads the saved state
    assert len(env.block(usage).learner_state["history"]) == 2


# --- a view's write: the mastery gate stores its evaluation when a learner opens it ------------------

def gate_unit(env):
    rate = env.load("""<personalized_self_assessment
        statements='[{"id": "compare", "text": "I can compare fractions", "skill": "fractions"}]'/>""")
    gate = env.load(f"""<personalized_mastery_gate self_assessment="{rate}" self_assessment_skill="fractions"
        self_assessment_level="2"><html_demo><p>LESSON</p></html_demo></personalized_mastery_gate>""")
    return rate, gate


def test_a_gate_view_stores_its_evaluation_under_the_learners_lock(env, monkeypatch):
    monkeypatch.setattr(learner_state, "LOCK_WAIT_SECONDS", 0.2)
    rate, gate = gate_unit(env)
    assert submit(env.block(rate), 3)[0] == 200
    held = env.block(gate).lock_for("student_1")
    assert held.acquire()  # another request of this learner is writing the gate's state
    html = env.block(gate).render("student_view", {}).body_html()
    assert "LESSON" in html  # the view still shows what the learner has earned
    assert env.block(gate).learner_state == {}  # but it did not write past the lock
    held.release()
    env.block(gate).render("student_view", {})
    assert env.block(gate).learner_state["unlocked"] is True


def test_a_gate_view_with_an_old_copy_keeps_what_a_handler_wrote(env):
    rate, gate = gate_unit(env)
    assert submit(env.block(rate), 3)[0] == 200
    viewer = env.block(gate)
    viewer.learner_state  # pylint: disable=pointless-statement  # the view's request read the state now
    assert call(env.block(gate), "check_again", {})[0] == 200  # another tab's handler stores the unlock
    unlocked_at = env.block(gate).learner_state["unlocked_at"]
    assert submit(env.block(rate), 1)[0] == 200  # the self-rating drops: the view's evaluation differs
    viewer.render("student_view", {})
    stored = env.block(gate).learner_state
    assert stored["unlocked"] is True and stored["unlocked_at"] == unlocked_at  # read afresh: the unlock sticks
