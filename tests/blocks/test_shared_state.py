"""A skill check's state is checked and copied once per request, however many gates and skills read it."""
import json

import pytest

from personalized_path.core import skill_check as check_core
from personalized_path.core.state import StateShape
from tests.harness import call

QUESTIONS = json.dumps([
    {"id": "q1", "prompt": "1/2 + 1/4?", "kind": "single", "skill": "fractions",
     "choices": [{"id": "a", "text": "3/4"}, {"id": "b", "text": "2/6"}], "correct": ["a"]},
    {"id": "q2", "prompt": "Why?", "kind": "single", "skill": "reasoning",
     "choices": [{"id": "a", "text": "Because"}, {"id": "b", "text": "No"}], "correct": ["a"]}])


@pytest.fixture
def reads(monkeypatch):
    """Count the skill check's state reads (migrate, check, copy) for real, around the real method."""
    counted = []
    original = StateShape.read

    def read(shape, stored, copy_current=True):
        if shape is check_core.STATE_SHAPE:
            counted.append(copy_current)
        return original(shape, stored, copy_current)
    monkeypatch.setattr(StateShape, "read", read)
    return counted


def gate(check, **attrs):
    rendered = " ".join(f"{name}='{json.dumps(value)}'" for name, value in attrs.items())
    return f"<personalized_mastery_gate {rendered}><html_demo><p>OPEN</p></html_demo></personalized_mastery_gate>"


def test_three_gates_over_two_skills_and_a_score_read_the_state_once(env, reads):
    check = env.load(f"<personalized_skill_check questions='{QUESTIONS}' max_attempts='3'/>")
    status, _ = call(env.block(check), "submit", {"answers": {"q1": ["a"], "q2": ["b"]}})
    assert status == 200
    gates = [env.load(gate(check, sources=[str(check)], threshold=50)),
             env.load(gate(check, skill_checks=[str(check)], skills=[{"skill": "fractions", "threshold": 50},
                                                                     {"skill": "reasoning", "threshold": 50}])),
             env.load(gate(check, sources=[str(check)], skill_checks=[str(check)],
                           skills=[{"skill": "fractions", "threshold": 50}], mode="any", threshold=40,
                           estimator_params={"n": 1, "m": 1}))]  # one right answer decides, as the author chose
    runtime = env.runtime()  # one request
    reads.clear()
    results = [runtime.get_block(usage).evaluate() for usage in gates]
    assert [result.unlocked for result in results] == [True, False, True]
    assert reads == [False]  # once, and not copied: readers share it and never change it


def test_a_new_submission_in_the_same_request_is_read_afresh(env, reads):
    check = env.load(f"<personalized_skill_check questions='{QUESTIONS}' max_attempts='3'/>")
    runtime = env.runtime()
    block = runtime.get_block(check)
    assert block.attempts_used() == 0
    status, _ = call(block, "submit", {"answers": {"q1": ["a"], "q2": ["a"]}})
    assert status == 200
    assert block.attempts_used() == 1 and block.percent() == 100.0
    assert runtime.get_block(check).attempts_used() == 1
