"""Adaptive, placement and re-check sessions, driven by simulated learners."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from personalized_path.core import adaptive, irt
from personalized_path.core import skill_check as sc
from personalized_path.core.payload import PayloadError


def pool_of(spec):
    """``[(id, skill, difficulty)]`` as Items with discrimination 1.5."""
    return [adaptive.Item(item_id, skill, difficulty, 1.5) for item_id, skill, difficulty in spec]


POOL = pool_of([(f"q{index}", "fractions", difficulty)
                for index, difficulty in enumerate((-1.0, -0.5, 0.0, 0.0, 0.5, 0.5, 1.0, 1.0, 1.5, 1.5, 2.0, 2.0))])


def run(next_question, pool, answer, budget=10, target_se=0.45):
    """Ask until the session ends; ``answer(item)`` says whether the simulated learner is right."""
    by_id = {item.id: item for item in pool}
    asked = []
    while True:
        question = next_question(pool, asked, budget, target_se)
        if question is None:
            return asked
        assert question not in {entry["question"] for entry in asked}
        item = by_id[question]
        asked.append({"question": question, "skill": item.skill, "correct": answer(item)})


def test_adaptive_first_question_is_the_most_informative_at_zero():
    assert adaptive.next_adaptive(POOL, [], budget=5, target_se=0.3) == "q2"  # b = 0, first of the two


def test_adaptive_follows_the_learner():
    after_right = adaptive.next_adaptive(POOL, [{"question": "q2", "skill": "fractions", "correct": True}], 5, 0.3)
    after_wrong = adaptive.next_adaptive(POOL, [{"question": "q2", "skill": "fractions", "correct": False}], 5, 0.3)
    by_id = {item.id: item for item in POOL}
    assert by_id[after_right].difficulty > 0 > by_id[after_wrong].difficulty


HARD_POOL = pool_of([(f"h{index}", "fractions", difficulty)
                     for index, difficulty in enumerate((-1, -0.5, 0, 0.5, 1, 1, 1.5, 1.5, 2, 2, 2.5, 3))])


def test_a_strong_learner_needs_fewer_questions_than_a_weak_one_on_a_pool_of_hard_questions():
    # Answers all right keep meeting informative (hard) questions, so the estimate gets precise;
    # answers all wrong run out of easy ones, and the budget ends the check.
    strong = run(adaptive.next_adaptive, HARD_POOL, lambda item: True, target_se=0.6)
    weak = run(adaptive.next_adaptive, HARD_POOL, lambda item: False, target_se=0.6)
    assert len(strong) == 6 and len(weak) == 10
    assert irt.estimate(adaptive.responses(strong, HARD_POOL))[1] < 0.6


@given(st.integers(min_value=1, max_value=12), st.floats(min_value=0.1, max_value=1.0))
def test_sessions_never_exceed_the_budget_nor_repeat(budget, target):
    for answer in (lambda item: True, lambda item: False, lambda item: item.difficulty < 0.7):
        asked = run(adaptive.next_adaptive, POOL, answer, budget, target)
        assert 1 <= len(asked) <= budget


def test_adaptive_score_is_the_estimated_mastery_times_the_pool():
    """Issue 21: the expected pool score at the EAP estimate gave 5 of 5 right 60%; now the estimated mastery."""
    asked = [{"question": "q2", "skill": "fractions", "correct": True}]
    result = adaptive.adaptive_result(POOL, asked)
    assert result["possible"] == 12.0
    assert result["earned"] == pytest.approx(12 * irt.mastery_probability(
        [(item.difficulty, item.discrimination, True) for item in POOL if item.id == "q2"], adaptive.standard(POOL)),
        abs=0.005)
    for answer, low, high in ((lambda item: True, 0.95, 1.0), (lambda item: False, 0.0, 0.05)):
        asked = run(adaptive.next_adaptive, POOL, answer, budget=8, target_se=0.3)
        assert len(asked) == 8 and low <= adaptive.adaptive_result(POOL, asked)["mastery"] <= high


MIXED = pool_of([("a1", "add", -0.5), ("a2", "add", 0.0), ("a3", "add", 0.5), ("a4", "add", 1.0),
                 ("m1", "mul", -0.5), ("m2", "mul", 0.0), ("m3", "mul", 0.5), ("m4", "mul", 1.0)])


def test_placement_covers_every_skill_and_places_each():
    asked = run(adaptive.next_placement, MIXED, lambda item: item.skill == "add", budget=6, target_se=0.2)
    assert {entry["skill"] for entry in asked} == {"add", "mul"}
    assert [entry["skill"] for entry in asked[:2]] == ["add", "mul"]  # least precise skill next; ties in order
    placed = adaptive.placement_result(MIXED, asked, cut_percent=70)
    assert placed["add"]["mastered"] and not placed["mul"]["mastered"]
    assert placed["add"]["percent"] > 70 > placed["mul"]["percent"]


def test_placement_never_marks_an_unanswered_skill_mastered():
    placed = adaptive.placement_result(MIXED, [], cut_percent=0)
    assert not any(row["mastered"] for row in placed.values())


def test_recheck_starts_with_the_most_faded_skill_and_mixes():
    chosen = adaptive.plan_recheck(MIXED, [], {"add": 0.8, "mul": 0.4, "never": None}, budget=3)
    assert len(chosen) == 3 and chosen[0].startswith("m") and chosen[1].startswith("a") and chosen[2].startswith("m")
    assert adaptive.plan_recheck(MIXED, [], {"add": None}, budget=3) == []


def test_items_from_questions_reads_labels_and_class_calibration():
    questions = [{"id": "q1", "skill": "s", "difficulty": "hard"}, {"id": "q2", "skill": "s"}]
    bins, middle = irt.empty_bins(), irt.ability_bin(0.0)
    bins["n"][middle] = bins["correct"][middle] = irt.MIN_LEARNERS  # that many right answers at ability 0
    pool = adaptive.items_from_questions(questions, {"q2": bins})
    assert pool[0].difficulty == 1.0 and pool[0].discrimination == irt.DEFAULT_DISCRIMINATION
    assert -irt.MAX_SHIFT <= pool[1].difficulty < 0.0


# --- sessions in the skill check's learner state --------------------------------------------------

def question(question_id, skill, difficulty):
    return {"id": question_id, "prompt": f"Question {question_id}", "kind": "single", "skill": skill,
            "difficulty": difficulty, "correct": ["right"],
            "choices": [{"id": "right", "text": "Right"}, {"id": "wrong", "text": "Wrong"}]}


QUESTIONS = [question(f"q{index}", "fractions" if index % 2 else "decimals", difficulty)
             for index, difficulty in enumerate(("easy", "medium", "hard", -0.5, 0.5, 2.0))]


def test_a_whole_adaptive_session_in_state():
    pool = adaptive.items_from_questions(QUESTIONS)
    state = sc.start_session(sc.empty_state(), "adaptive", "2026-01-05T09:00:00+00:00")
    assert state["used"] == 1 and state["session"]["asked"] == []
    asked = 0
    while True:
        next_id = sc.next_question_id(state, pool, budget=4, target_se=0.1)
        if next_id is None:
            break
        current = {q["id"]: q for q in QUESTIONS}[next_id]
        chosen = sc.parse_one_answer({"question": next_id, "answer": ["right"]}, current)
        state, entry = sc.answer_in_session(state, current, chosen, "2026-01-05T09:01:00+00:00")
        assert entry["correct"]
        asked += 1
    assert asked == 4
    state = sc.finish_session(state, pool, "2026-01-05T09:05:00+00:00", placement_cut=80)
    sc.STATE_SHAPE.check(state)
    attempt = sc.latest(state)
    assert state["session"] is None and attempt["mode"] == "adaptive" and len(attempt["results"]) == 4
    assert attempt["possible"] == 6.0 and 3.0 < attempt["earned"] <= 6.0
    evidence = sc.skill_evidence(state)
    assert sum(len(rows) for rows in evidence.values()) == 4
    assert all(when == "2026-01-05T09:01:00+00:00" and correct for rows in evidence.values() for when, correct in rows)
    again = sc.regrade_latest(state, QUESTIONS)
    assert again["score"] == state["score"]


def test_answering_another_question_than_the_current_one_is_refused():
    with pytest.raises(PayloadError) as error:
        sc.parse_one_answer({"question": "q2", "answer": ["right"]}, QUESTIONS[0])
    assert error.value.field == "question"
    with pytest.raises(PayloadError):
        sc.parse_one_answer({"question": "q0", "answer": ["nope"]}, QUESTIONS[0])


def test_placement_and_recheck_sessions_store_their_results():
    pool = adaptive.items_from_questions(QUESTIONS)
    state = sc.start_session(sc.empty_state(), "placement", "2026-01-05T09:00:00+00:00")
    # The budget of 4 is raised to PLACEMENT_MIN_ANSWERS per skill: the whole pool of 3 + 3 is asked.
    for _ in range(6):
        next_id = sc.next_question_id(state, pool, budget=4, target_se=0.1)
        item = {q["id"]: q for q in QUESTIONS}[next_id]
        answer = ["right"] if item["skill"] == "fractions" else ["wrong"]
        state, _ = sc.answer_in_session(state, item, answer, "2026-01-05T09:01:00+00:00")
    assert sc.next_question_id(state, pool, budget=4, target_se=0.1) is None
    state = sc.finish_session(state, pool, "2026-01-05T09:02:00+00:00", placement_cut=50)
    assert state["placement"]["fractions"]["mastered"] and not state["placement"]["decimals"]["mastered"]
    assert state["score"] == {"earned": 3.0, "possible": 6.0}
    state = sc.start_session(state, "recheck", "2026-02-05T09:00:00+00:00", plan=["q1", "gone", "q2"])
    assert sc.next_question_id(state, pool, budget=4, target_se=0.1) == "q1"
    state, _ = sc.answer_in_session(state, QUESTIONS[1], ["right"], "2026-02-05T09:01:00+00:00")
    assert sc.next_question_id(state, pool, budget=4, target_se=0.1) == "q2"
    state, _ = sc.answer_in_session(state, QUESTIONS[2], ["right"], "2026-02-05T09:01:00+00:00")
    assert sc.next_question_id(state, pool, budget=4, target_se=0.1) is None
    state = sc.finish_session(state, pool, "2026-02-05T09:02:00+00:00", placement_cut=50)
    assert state["last_recheck"] == "2026-02-05T09:02:00+00:00" and state["used"] == 2
    assert state["placement"]["fractions"]["mastered"]  # a re-check keeps the placement


def test_version_1_state_migrates_and_garbled_sessions_read_as_defaults():
    old = {"version": 1, "used": 1, "score": {"earned": 1.0, "possible": 2.0},
           "attempts": [{"at": "2026-01-01T00:00:00+00:00", "answers": {}, "results": [], "earned": 1.0,
                         "possible": 2.0}]}
    state, problem = sc.STATE_SHAPE.read(old)
    assert problem is None and state["session"] is None and state["used"] == 1
    garbled = dict(state, session={"mode": "adaptive", "started": "x", "plan": [], "asked": [{"question": 3}]})
    state, problem = sc.STATE_SHAPE.read(garbled)
    assert problem and state == sc.empty_state()
