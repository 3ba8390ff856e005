"""Skill check, one question at a time: adaptive, placement and re-check modes (block level)."""
import json

from personalized_path.core import irt
from personalized_path.core import skill_check as core
from tests.builders import HARD_POOL, TWO_SKILLS, current_question, session_markup, take
from tests.harness import call, field_snapshot


def load(env, questions, mode="adaptive", extra=""):
    text = json.dumps(questions).replace("&", "&amp;").replace("'", "&apos;")
    return env.load(f"<personalized_skill_check check_mode='{mode}' question_budget='10' "
                    f"target_precision='0.6' calibrate_difficulty='false' attempts_allowed='3' {extra} "
                    f"questions='{text}'/>")


def test_a_learner_who_answers_right_is_asked_fewer_questions_than_one_who_answers_wrong(env):
    usage = load(env, HARD_POOL)
    right, right_data = take(env, usage, "ana", lambda _: "yes")
    wrong, wrong_data = take(env, usage, "ben", lambda _: "no")
    assert len(right) == 6 and len(wrong) == 10 and len(set(right)) == 6
    assert right[0] == wrong[0] == "h2"  # the most informative question at the prior's mean
    # Scores are expected scores on the whole pool of 12; the strong learner's is far higher.
    grades = [event for event in env.events if event["name"] == "grade"]
    assert [event["user"] for event in grades] == ["ana", "ben"]
    assert grades[0]["data"]["max_value"] == 12.0 and grades[0]["data"]["value"] > 8 > grades[1]["data"]["value"]
    assert env.block(usage, "ana").attempts_used() == 1
    assert "Start again" in session_markup(right_data) and "FB-" + right[-1] + "-yes" in session_markup(right_data)


def test_one_question_at_a_time_and_no_answer_before_submitting(env):
    usage = load(env, HARD_POOL)
    status, data = call(env.block(usage, "ana"), "start_session", {})
    html = session_markup(data)
    assert html.count('data-question="') == 1 and "FB-" not in html and '"correct"' not in html
    first = current_question(html)
    status, data = call(env.block(usage, "ana"), "answer", {"question": first, "answer": ["no"]})
    assert status == 200 and f"FB-{first}-no" in session_markup(data) and f"FB-{first}-yes" not in session_markup(data)
    assert current_question(session_markup(data)) not in (None, first)


def test_bad_session_requests_change_nothing(env):
    usage = load(env, HARD_POOL)
    before = field_snapshot(env, usage, "ana")
    for handler, payload in (("answer", {"question": "h2", "answer": ["yes"]}),  # not started
                             ("submit", {"answers": {"h2": ["yes"]}})):          # fixed-mode handler
        status, data = call(env.block(usage, "ana"), handler, payload)
        assert status == 400 and data["error"], (handler, data)
    assert field_snapshot(env, usage, "ana") == before
    call(env.block(usage, "ana"), "start_session", {})
    started = field_snapshot(env, usage, "ana")
    for handler, payload in (("start_session", {}),
                             ("answer", {"question": "h5", "answer": ["yes"]}),       # not the current one
                             ("answer", {"question": "h2", "answer": ["maybe"]}),     # no such choice
                             ("answer", {"question": "h2", "answer": ["yes"], "x": 1}),
                             ("answer", {"question": "h2"})):
        status, data = call(env.block(usage, "ana"), handler, payload)
        assert status == 400 and data["field"], (handler, payload, data)
    assert field_snapshot(env, usage, "ana") == started


def test_attempt_limit_counts_sessions(env):
    usage = load(env, HARD_POOL, extra="")
    for _ in range(3):
        take(env, usage, "ana", lambda _: "no")
    status, data = call(env.block(usage, "ana"), "start_session", {})
    assert status == 400 and data["field"] == "attempts"


def test_placement_places_each_skill_and_reports_it(env):
    usage = load(env, TWO_SKILLS, mode="placement", extra="placement_cut='60'")
    asked, data = take(env, usage, "ana", lambda qid: "yes" if qid.startswith("a") else "no")
    assert {qid[0] for qid in asked} == {"a", "m"}
    placed = env.block(usage, "ana").placement_results()
    assert placed["adding"]["mastered"] and not placed["multiplying"]["mastered"]
    assert "Already known: counts as met" in session_markup(data) and "To learn" in session_markup(data)
    block = env.block(usage, "staff", staff=True)
    state = env.block(usage, "ana").learner_state
    rows = list(block.generate_report_data([type("S", (), {"username": "ana", "state": {"learner_state": state}})]))
    assert "adding=" in rows[0][1]["placement"] and "mastered" in rows[0][1]["placement"]


def test_class_answers_refine_difficulty_only_from_many_learners(env):
    usage = env.load(
        "<personalized_skill_check check_mode='adaptive' question_budget='3' attempts_allowed='1' questions='"
        + json.dumps(HARD_POOL[:6]).replace("'", "&apos;") + "'/>")
    authored = [item.difficulty for item in env.block(usage, "ana").pool()]
    for number in range(irt.MIN_LEARNERS - 1):
        asked, _ = take(env, usage, f"learner{number}", lambda _: "no")
    assert [item.difficulty for item in env.block(usage, "ana").pool()] == authored  # 49 learners: the author's
    counts = env.block(usage, "ana").class_calibration
    # The first answer is never counted: the learner's own estimate is not informed yet (the prior).
    assert asked[0] not in counts and sum(counts[asked[2]]["n"]) == irt.MIN_LEARNERS - 1
    take(env, usage, "learner-last", lambda _: "no")
    counts = env.block(usage, "ana").class_calibration
    assert sum(counts[asked[2]]["n"]) == irt.MIN_LEARNERS and "ana" not in json.dumps(counts)
    refined = {item.id: item.difficulty for item in env.block(usage, "ana").pool()}
    index = [question["id"] for question in HARD_POOL[:6]].index(asked[2])
    assert 0 < abs(refined[asked[2]] - authored[index]) <= irt.shift_allowed(irt.MIN_LEARNERS)


def test_studio_refuses_a_pool_smaller_than_the_budget(env):
    block = env.block(load(env, HARD_POOL[:3]), "staff", staff=True)
    problems = block.session_config_problems(block)
    assert [problem.field for problem in problems] == ["question_budget"]
    assert "3 questions" in problems[0].render()


def test_dated_evidence_and_review_dates(env):
    usage = load(env, HARD_POOL)
    take(env, usage, "ana", lambda _: "yes")
    block = env.block(usage, "ana")
    evidence = block.skill_evidence()["fractions"]
    assert len(evidence) == 6 and all(correct for _, correct in evidence)
    due = block.review_due()["fractions"]
    assert due > evidence[-1][0]
    state, problem = core.STATE_SHAPE.read(block.learner_state)
    assert problem is None and state["session"] is None


def test_recheck_draws_the_most_faded_skills_at_most_once_per_interval(env):
    first = load(env, TWO_SKILLS, mode="adaptive")
    recheck = load(env, TWO_SKILLS, mode="recheck",
                   extra=f"recheck_sources='[\"{first}\"]' recheck_interval_days='7'")
    status, data = call(env.block(recheck, "ana"), "start_session", {})
    assert status == 400 and data["field"] == "session"  # nothing answered yet, nothing to re-check
    take(env, first, "ana", lambda qid: "yes")
    env.clock.advance(30)
    recall = env.block(recheck, "ana").recall_by_skill()
    assert set(recall) <= {"adding", "multiplying"} and all(0 < value < 0.9 for value in recall.values())
    asked, data = take(env, recheck, "ana", lambda qid: "yes")
    assert 1 <= len(asked) <= 8
    status, data = call(env.block(recheck, "ana"), "start_session", {})
    assert status == 400 and "opens on" in data["error"]
    env.clock.advance(8)
    status, data = call(env.block(recheck, "ana"), "start_session", {})
    assert status == 200
