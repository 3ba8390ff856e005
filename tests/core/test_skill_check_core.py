"""Skill check domain logic: authoring validation, parsing answers, grading, state, shuffling."""
import copy

import pytest
from hypothesis import given, settings, strategies as st

from personalized_path.core import skill_check as core
from personalized_path.core.payload import PayloadError

QUESTIONS = [
    {"id": "q1", "prompt": "One?", "kind": "single", "skill": "s1",
     "choices": [{"id": "a", "text": "A", "feedback": "fa"}, {"id": "b", "text": "B"}], "correct": ["a"]},
    {"id": "q2", "prompt": "Many?", "kind": "multiple", "skill": "s2",
     "choices": [{"id": "x", "text": "X"}, {"id": "y", "text": "Y"}, {"id": "z", "text": "Z"}],
     "correct": ["x", "z"]},
]


def broken(path, value):
    """QUESTIONS with one value replaced (path is a list of keys/indexes)."""
    questions = copy.deepcopy(QUESTIONS)
    target = questions
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return questions


def test_valid_questions_have_no_problems():
    assert core.validate_questions(QUESTIONS) == []
    assert core.validate_questions(broken([0, "kind"], KeyError)) == []  # single is the default


@pytest.mark.parametrize("questions, field, words", [
    ([], "questions", "at least one"),
    ("nope", "questions", "list"),
    (broken([0, "correct"], ["nope"]), "questions[0].correct", "not one of the choices"),
    (broken([0, "correct"], []), "questions[0].correct", "exactly one"),
    (broken([0, "correct"], ["a", "b"]), "questions[0].correct", "exactly one"),
    (broken([1, "correct"], []), "questions[1].correct", "at least one"),
    (broken([1, "correct"], ["x", "x"]), "questions[1].correct", "twice"),
    (broken([1, "id"], "q1"), "questions[1].id", "used twice"),
    (broken([1, "choices", 1, "id"], "x"), "questions[1].choices[1].id", "used twice"),
    (broken([0, "choices"], [{"id": "a", "text": "A"}]), "questions[0].choices", "from 2 to 10"),
    (broken([0, "kind"], "essay"), "questions[0].kind", "single"),
    (broken([0, "skill"], "Not A Slug"), "questions[0].skill", "short id"),
    (broken([0, "prompt"], " "), "questions[0].prompt", "at least"),
    (broken([0, "prompt"], KeyError), "questions[0].prompt", "required"),
    (broken([0, "choices", 0, "feedback"], "x" * 501), "questions[0].choices[0].feedback", "at most 500"),
    (broken([0, "extra"], 1), "questions[0]", "Unknown key"),
    ([QUESTIONS[0]] * (core.MAX_QUESTIONS + 1), "questions", f"At most {core.MAX_QUESTIONS}"),
])
def test_invalid_questions_are_named(questions, field, words):
    problems = core.validate_questions(questions)
    assert problems and problems[0].field == field
    assert words in problems[0].render()


def test_public_questions_strip_answers_and_feedback():
    public = core.public_questions(QUESTIONS)
    text = repr(public)
    assert "correct" not in text and "feedback" not in text and "fa" not in text
    assert [choice["id"] for choice in public[1]["choices"]] == ["x", "y", "z"]


@pytest.mark.parametrize("answers, field", [
    ({"q1": ["a"]}, "answers.q2"),
    ({"q1": ["a"], "q2": []}, "answers.q2"),
    ({"q1": ["a", "b"], "q2": ["x"]}, "answers.q1"),
    ({"q1": ["c"], "q2": ["x"]}, "answers.q1"),
    ({"q1": "a", "q2": ["x"]}, "answers.q1"),
    ({"q1": [1], "q2": ["x"]}, "answers.q1"),
    ({"q1": ["a"], "q2": ["x", "x"]}, "answers.q2"),
    ({"q1": ["a"], "q2": ["x"], "q3": ["a"]}, "answers.q3"),
])
def test_bad_answers_are_refused(answers, field):
    with pytest.raises(PayloadError) as error:
        core.parse_submission({"answers": answers}, QUESTIONS)
    assert error.value.field == field


def test_grading_is_all_or_nothing_per_question():
    results, earned, possible = core.grade({"q1": ["a"], "q2": ["z", "x"]}, QUESTIONS)
    assert [r["correct"] for r in results] == [True, True] and (earned, possible) == (2.0, 2.0)
    results, earned, _ = core.grade({"q1": ["b"], "q2": ["x"]}, QUESTIONS)
    assert [r["correct"] for r in results] == [False, False] and earned == 0.0
    results, earned, _ = core.grade({"q1": ["a"], "q2": ["x", "y", "z"]}, QUESTIONS)
    assert [r["correct"] for r in results] == [True, False] and earned == 1.0


def test_state_records_attempts_skills_and_percent():
    state = core.empty_state()
    assert core.percent(state) is None and core.attempts_left(state, 2) == 2 and core.attempts_left(state, 0) is None
    state = core.record_attempt(state, {"q1": ["b"], "q2": ["x", "z"]}, QUESTIONS, "2026-01-01T00:00:00+00:00")
    state = core.record_attempt(state, {"q1": ["a"], "q2": ["x"]}, QUESTIONS, "2026-01-02T00:00:00+00:00")
    assert core.skill_attempts(state) == {"s1": [0.0, 1.0], "s2": [1.0, 0.0]}
    assert core.skill_results(state) == {"s1": {"correct": 1, "total": 1}, "s2": {"correct": 0, "total": 1}}
    assert core.percent(state) == 50.0 and core.attempts_left(state, 2) == 0 and state["used"] == 2
    assert core.STATE_SHAPE.read(state) == (state, None)


def test_history_is_bounded_but_attempts_used_keeps_counting():
    state = core.empty_state()
    for _ in range(core.HISTORY_CAP + 5):
        state = core.record_attempt(state, {"q1": ["a"], "q2": ["x"]}, QUESTIONS, "2026-01-01T00:00:00+00:00")
    assert len(state["attempts"]) == core.HISTORY_CAP and state["used"] == core.HISTORY_CAP + 5
    assert core.STATE_SHAPE.read(state)[1] is None


@pytest.mark.parametrize("stored", [
    {"version": 1, "used": 0, "attempts": "x", "score": None},
    {"version": 1, "used": -1, "attempts": [], "score": None},
    {"version": 1, "used": 1, "attempts": [{"answers": {}, "results": [{"question": 1}]}], "score": None},
    {"version": 1, "used": 0, "attempts": [], "score": {"earned": 3, "possible": 2}},
    {"version": 1, "used": 0, "attempts": [], "score": {"earned": "1", "possible": 2}},
    {"version": 2, "used": 0, "attempts": []},
    {"used": 0, "attempts": []},
    ["not", "a", "dict"],
])
def test_garbled_state_reads_as_defaults_with_a_reason(stored):
    state, problem = core.STATE_SHAPE.read(stored)
    assert state == core.empty_state() and problem


def test_regrade_latest_uses_the_current_key():
    state = core.record_attempt(core.empty_state(), {"q1": ["b"], "q2": ["x", "z"]}, QUESTIONS, "t")
    fixed = broken([0, "correct"], ["b"])
    regraded = core.regrade_latest(state, fixed)
    assert regraded["score"] == {"earned": 2.0, "possible": 2.0}
    assert state["score"] == {"earned": 1.0, "possible": 2.0}  # the original is untouched


def test_shuffle_is_deterministic_per_seed_and_keeps_every_item():
    first = core.ordered_questions(QUESTIONS, True, "ana:block")
    assert first == core.ordered_questions(QUESTIONS, True, "ana:block")
    assert sorted(q["id"] for q in first) == ["q1", "q2"]
    assert core.ordered_questions(QUESTIONS, False, "ana:block") == QUESTIONS
    many = [{"id": f"q{n}", "prompt": "?", "skill": "s", "correct": ["a"],
             "choices": [{"id": c, "text": c} for c in "abcdef"]} for n in range(8)]
    orders = {tuple(q["id"] for q in core.ordered_questions(many, True, f"learner{n}:b")) for n in range(10)}
    assert len(orders) > 1  # different learners, different orders
    assert many[0]["choices"][0]["id"] == "a"  # the author's list is not shuffled in place


@settings(max_examples=100)
@given(st.lists(st.sampled_from(["a", "b"]), min_size=1, max_size=1),
       st.lists(st.sampled_from(["x", "y", "z"]), min_size=1, max_size=3, unique=True))
def test_any_valid_answer_grades_to_a_score_within_bounds(one, many):
    answers = core.parse_submission({"answers": {"q1": one, "q2": many}}, QUESTIONS)
    _results, earned, possible = core.grade(answers, QUESTIONS)
    assert 0 <= earned <= possible == 2
