"""Mastery gate with time-aware mastery: recall that fades (FSRS-6), refresh re-checks, placement (TestRuntime)."""
import json
from datetime import datetime, timedelta

from tests.builders import RATED_SELF_ASSESSMENT, TWO_SKILLS, board_xml, gate_problems, gate_xml, take
from tests.harness import call, html_of, render, unisolated

SECRET = "SENTINEL-time-gated-content"
RIGHT = {"answers": {q["id"]: ["yes"] for q in TWO_SKILLS}}


def skill_check(env, mode="fixed", extra=""):
    text = json.dumps(TWO_SKILLS).replace("'", "&apos;")
    return env.load(f"<personalized_skill_check check_mode='{mode}' question_budget='4' max_attempts='0' "
                    f"calibrate_difficulty='false' {extra} questions='{text}'/>")


def test_recall_estimator_fades_with_time(env):
    check = skill_check(env)
    gate = env.load(gate_xml(f"<html_demo><p>{SECRET}</p></html_demo>", skill_checks=[check],
                             skills=[{"skill": "adding", "threshold": 80}], estimator="recall",
                             estimator_params={"min_right": 0}))
    assert gate_problems(env, gate) == []
    assert SECRET not in render(env, gate)
    assert call(env.block(check), "submit", RIGHT)[0] == 200
    assert SECRET in render(env, gate)
    env.clock.advance(60)
    assert SECRET in render(env, gate)  # no refresh level: the unlock sticks, while recall is below 80
    value = env.block(gate).learner_state["values"]["skill:adding"]
    assert 0 < value < 80
    block = env.block(gate)
    block.unlock_round += 1  # the author's "re-evaluate everyone"
    block.save()
    html = render(env, gate)
    assert SECRET not in html and 'data-kind="skill"' in html


def test_a_faded_skill_relocks_until_the_recheck_refreshes_it(env):
    check = skill_check(env)
    recheck = skill_check(env, mode="recheck", extra=f"recheck_sources='[\"{check}\"]' display_name='Quick re-check'")
    gate = env.load(gate_xml(f"<html_demo><p>{SECRET}</p></html_demo>", skill_checks=[check],
                             skills=[{"skill": "adding", "threshold": 80}], estimator="latest",
                             estimator_params={"min_right": 0},
                             refresh_below=85, refresh_check=recheck))
    assert gate_problems(env, gate) == []
    assert call(env.block(check), "submit", RIGHT)[0] == 200
    assert SECRET in render(env, gate)
    env.clock.advance(30)
    html = render(env, gate)
    assert SECRET not in html and "some time has passed" in html and 'data-skill="adding"' in html
    assert "take the re-check “Quick re-check”" in unisolated(html)
    status, data = call(env.block(gate), "check_again", {})
    assert status == 200 and not data["unlocked"]
    take(env, recheck, "student_1", lambda _: "yes")
    status, data = call(env.block(gate), "check_again", {})
    assert status == 200 and data["unlocked"] and SECRET in data["html"]


def test_unlocks_stay_when_no_refresh_level_is_set(env):
    check = skill_check(env)
    gate = env.load(gate_xml(f"<html_demo><p>{SECRET}</p></html_demo>", skill_checks=[check],
                             skills=[{"skill": "adding", "threshold": 80}], estimator="latest",
                             estimator_params={"min_right": 0}))
    assert call(env.block(check), "submit", RIGHT)[0] == 200
    env.clock.advance(400)
    assert SECRET in render(env, gate)


def test_placement_lets_a_learner_test_out(env):
    placement = skill_check(env, mode="placement", extra="placement_cut='60' target_precision='0.1'")
    gate = env.load(gate_xml(f"<html_demo><p>{SECRET}</p></html_demo>", skill_checks=[placement],
                             skills=[{"skill": "adding", "threshold": 100}], estimator="n_of_m",
                             estimator_params={"n": 5, "m": 5}, accept_placement=True))
    assert gate_problems(env, gate) == []
    take(env, placement, "ana", lambda qid: "yes" if qid.startswith("a") else "no")
    assert env.block(placement, "ana").placement_results()["adding"]["mastered"]
    assert SECRET in render(env, gate, "ana")
    # The same answers without accepting placement: 2 right of 5 needed, still locked.
    block = env.block(gate, "ana")
    block.accept_placement = False
    block.save()
    assert SECRET in render(env, gate, "ana")  # her unlock sticks ...
    block = env.block(gate, "ana")
    block.unlock_round += 1  # ... until the author re-evaluates everyone
    block.save()
    assert SECRET not in render(env, gate, "ana")


def test_studio_refuses_bad_refresh_and_placement_settings(env):
    check = skill_check(env)
    gate = env.load(gate_xml("<html_demo><p>x</p></html_demo>", skill_checks=[check],
                             skills=[{"skill": "adding", "threshold": 80}]))
    assert gate_problems(env, gate) == []
    assert any("percentage from 0 to 100" in text for text in gate_problems(env, gate, refresh_below=120))
    assert any("percentage from 0 to 100" in text for text in gate_problems(env, gate, refresh_below=-1))
    no_skills = env.load(gate_xml("<html_demo><p>x</p></html_demo>", sources=[check]))
    assert any("at least one skill condition" in text for text in gate_problems(env, no_skills, refresh_below=50))
    assert any("only for skill conditions" in text for text in gate_problems(env, no_skills, accept_placement=True))
    assert any("\u201cRe-check to refresh faded skills (optional)\u201d" in text
               for text in gate_problems(env, gate, refresh_check="nowhere"))


def test_a_choice_board_stops_suggesting_skills_placed_as_known(env):
    linked = env.load(RATED_SELF_ASSESSMENT)
    placement = skill_check(env, mode="placement", extra="placement_cut='60' target_precision='0.1'")
    board = env.load(board_xml(self_assessment=linked).replace(
        "<personalized_choice_board", f"<personalized_choice_board placement_checks='[\"{placement}\"]'", 1))
    assert call(env.block(linked, "ana"), "submit", {"ratings": {"compare": 1, "explain": 3}})[0] == 200
    assert html_of(env.block(board, "ana")).count(' pp-suggested"') == 2  # two tiles marked
    # The placement check places "fractions" as known: the board stops suggesting it.
    questions = [dict(q, skill="fractions" if q["skill"] == "adding" else q["skill"]) for q in TWO_SKILLS]
    block = env.block(placement, "ana")
    block.questions = questions
    block.save()
    take(env, placement, "ana", lambda qid: "yes" if qid.startswith("a") else "no")
    assert env.block(placement, "ana").placement_results()["fractions"]["mastered"]
    html = html_of(env.block(board, "ana"))
    assert "I can compare fractions" not in html.split("Suggested for you", 1)[-1].split("</p>", 1)[0]
    assert "You rated &quot;I can compare fractions&quot;" not in html
    assert "You rated &quot;I can explain my reasoning&quot;" in html  # the next lowest skill instead
    required = env.block(board, "ana").get_required_block_descriptors()
    assert placement in [str(block.scope_ids.usage_id) for block in required]


def test_the_learning_plan_shows_when_each_skill_is_due_for_review(env):
    from personalized_path.core import plan  # pylint: disable=import-outside-toplevel
    assert plan.review_due([]) is None
    # One right answer: stability w2 = 2.3065 days, so recall reaches 90% 2.3 days later.
    due = plan.review_due([("2026-03-01T10:00:00+00:00", 1.0)])  # a time: its day is the reader's to take
    assert due.startswith("2026-03-03T") and datetime.fromisoformat(due).utcoffset() == timedelta(0)
    assert plan.review_due([("garbled", 1.0), ("2026-03-01T10:00:00+00:00", "x")]) is None
    check = skill_check(env)
    assert call(env.block(check), "submit", RIGHT)[0] == 200
    summary = env.block(check).summarize_state({"learner_state": env.block(check).learner_state})
    rows = plan.learner_skills([plan.Source(str(check), plan.SKILL_CHECK, "Check", ("adding", "multiplying"))],
                               {str(check): summary}, {})
    assert all(row["review_due"] for row in rows)
