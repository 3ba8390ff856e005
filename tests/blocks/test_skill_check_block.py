"""Skill check block on the XBlock TestRuntime: grading, secrecy of answers, bad input, scoring, reports."""
import json
from collections import namedtuple

import pytest

from personalized_path.core import skill_check as core
from personalized_path.skill_check import SkillCheckBlock
from tests.harness import BlockEnv, call, field_snapshot, html_of, olx_round_trip

# Feedback strings are unique sentinels: none may reach a learner before they chose that choice.
QUESTIONS = [
    {"id": "half", "prompt": "Which fraction equals <b>one half</b>?", "kind": "single", "skill": "fractions",
     "choices": [{"id": "a", "text": "2/4", "feedback": "SENTINEL-FB-HALF-A"},
                 {"id": "b", "text": "1/3", "feedback": "SENTINEL-FB-HALF-B"},
                 {"id": "c", "text": "3/4", "feedback": "SENTINEL-FB-HALF-C"}],
     "correct": ["a"]},
    {"id": "bigger", "prompt": "Which are bigger than 1/2?", "kind": "multiple", "skill": "comparing",
     "choices": [{"id": "x", "text": "2/3", "feedback": "SENTINEL-FB-BIG-X"},
                 {"id": "y", "text": "1/4", "feedback": "SENTINEL-FB-BIG-Y"},
                 {"id": "z", "text": "5/8", "feedback": "SENTINEL-FB-BIG-Z"}],
     "correct": ["x", "z"]},
]
RIGHT = {"answers": {"half": ["a"], "bigger": ["x", "z"]}}
WRONG = {"answers": {"half": ["b"], "bigger": ["x"]}}


def olx(questions=None, extra='attempts_allowed="2"'):
    text = json.dumps(questions or QUESTIONS).replace("&", "&amp;").replace("<", "&lt;").replace("'", "&apos;")
    return f"<personalized_skill_check display_name='Check &lt;1&gt;' {extra} questions='{text}'/>"


def load(env, questions=None, extra='attempts_allowed="2"'):
    return env.load(olx(questions, extra))


def sentinels(text):
    return [word for word in ("SENTINEL", '"correct"', "correct\\u0022") if word in text]


# --- learner flow -------------------------------------------------------------------------------

def test_first_view_is_a_form_with_one_group_per_question(env):
    html = html_of(env.block(load(env)))
    assert html.count('<fieldset class="pp-question"') == 2
    assert html.count('type="radio"') == 3 and html.count('type="checkbox"') == 3
    assert "Your result" not in html and "You have 2 attempts." in html
    assert "<b>one half</b>" not in html and "&lt;b&gt;one half&lt;/b&gt;" in html


def test_wrong_then_right_grades_feedback_attempts_and_skills(env):
    usage = load(env)
    status, data = call(env.block(usage), "submit", WRONG)
    assert status == 200 and data["percent"] == 0.0 and data["attempts_left"] == 1
    # An attempt changes the result and the questions (their feedback), not the title above them.
    assert sorted(data["parts"]) == ["questions", "summary"] and "html" not in data
    assert 'data-part="summary"' in data["parts"]["summary"] and "pp-title" not in data["parts"]["questions"]
    html = data["parts"]["summary"] + data["parts"]["questions"]
    assert "0 of 2 correct (0%)" in html and "You have 1 attempt left." in html
    assert html.count("Not quite.") == 2
    # feedback for the chosen choices only
    assert "SENTINEL-FB-HALF-B" in html and "SENTINEL-FB-BIG-X" in html
    assert "SENTINEL-FB-HALF-A" not in html and "SENTINEL-FB-BIG-Z" not in html
    block = env.block(usage)
    assert block.skill_results() == {"fractions": {"correct": 0, "total": 1}, "comparing": {"correct": 0, "total": 1}}

    status, data = call(env.block(usage), "submit", RIGHT)
    assert status == 200 and data["percent"] == 100.0 and data["attempts_left"] == 0
    summary, questions = data["parts"]["summary"], data["parts"]["questions"]
    assert "2 of 2 correct (100%)" in summary and "You answered every question correctly." in summary
    assert 'type="submit"' not in questions
    block = env.block(usage)
    assert block.skill_attempts() == {"fractions": [0.0, 1.0], "comparing": [0.0, 1.0]}
    assert block.skill_results() == {"fractions": {"correct": 1, "total": 1}, "comparing": {"correct": 1, "total": 1}}
    assert block.attempts_used() == 2 and block.attempts_left() == 0 and block.percent() == 100.0
    assert block.get_score() == (2.0, 2.0) and block.max_score() == 2.0 and block.has_submitted_answer()


def test_events_completion_and_grades(env):
    usage = load(env)
    call(env.block(usage), "submit", WRONG)
    call(env.block(usage), "submit", RIGHT)
    submitted = env.events_named("skill_check.submitted")
    assert [event["data"]["attempt"] for event in submitted] == [1, 2]
    assert submitted[0]["data"]["answers"] == WRONG["answers"] and submitted[1]["data"]["correct"] == ["half", "bigger"]
    assert [event["data"]["completion"] for event in env.events_named("completion")] == [1.0]
    grades = [(event["data"]["value"], event["data"]["max_value"]) for event in env.events_named("grade")]
    assert grades == [(0.0, 2.0), (2.0, 2.0)]


def test_after_the_last_attempt_further_submits_get_400_and_change_nothing(env):
    usage = load(env)
    call(env.block(usage), "submit", WRONG)
    call(env.block(usage), "submit", WRONG)
    html = html_of(env.block(usage))
    assert "You have used all your attempts." in html and 'type="submit"' not in html
    assert html.count("disabled") == 2  # the answers stay visible, read-only
    before, events = field_snapshot(env, usage), len(env.events)
    status, data = call(env.block(usage), "submit", RIGHT)
    assert status == 400 and data["field"] == "attempts" and "used all your attempts" in data["error"]
    assert field_snapshot(env, usage) == before and len(env.events) == events


def test_after_all_correct_further_submits_get_400(env):
    usage = load(env, extra='attempts_allowed="0"')
    call(env.block(usage), "submit", RIGHT)
    before = field_snapshot(env, usage)
    status, data = call(env.block(usage), "submit", WRONG)
    assert status == 400 and data["field"] == "attempts"
    assert field_snapshot(env, usage) == before


def test_unlimited_attempts(env):
    usage = load(env, extra='attempts_allowed="0"')
    for _ in range(5):
        assert call(env.block(usage), "submit", WRONG)[0] == 200
    block = env.block(usage)
    assert block.attempts_left() is None and block.attempts_used() == 5
    assert "You can try again as often as you like." in html_of(block)
    assert block.skill_attempts()["fractions"] == [0.0] * 5


def test_shuffled_order_is_stable_per_learner_and_grading_ignores_order(env):
    questions = [{"id": f"q{n}", "prompt": f"Question {n}", "skill": "s", "correct": ["c1"],
                  "choices": [{"id": f"c{k}", "text": f"Choice {n}.{k}"} for k in range(1, 6)]} for n in range(6)]
    usage = load(env, questions, extra='shuffle="true" attempts_allowed="0"')

    def order(user):
        html = html_of(env.block(usage, user))
        return [html.index(f"Choice {n}.{k}") for n in range(6) for k in range(1, 6)]
    assert order("ana") == order("ana")
    assert len({tuple(order(f"learner{n}")) for n in range(6)}) > 1
    answers = {f"q{n}": ["c1"] for n in range(6)}
    status, data = call(env.block(usage, "ana"), "submit", {"answers": answers})
    assert status == 200 and data["percent"] == 100.0


# --- answers never reach the browser before submission ---------------------------------------

def test_nothing_about_the_key_reaches_the_learner_before_submitting(env):
    """The same questions with a different answer key render identically, and carry no feedback."""
    other_key = json.loads(json.dumps(QUESTIONS))
    other_key[0]["correct"] = ["c"]
    other_key[1]["correct"] = ["y"]
    first, second = BlockEnv(), BlockEnv()
    usage_1, usage_2 = load(first), load(second, other_key)
    html_1, html_2 = html_of(first.block(usage_1)), html_of(second.block(usage_2))
    assert html_1 == html_2 and not sentinels(html_1)
    data_1 = json.dumps(first.block(usage_1).student_view_data())
    assert data_1 == json.dumps(second.block(usage_2).student_view_data()) and not sentinels(data_1)
    fragment = first.block(usage_1).render("student_view", {})
    assert not sentinels(json.dumps(fragment.to_dict()))
    # every handler answer a learner can get before submitting
    responses = [call(first.block(usage_1), "student_view_user_state", method="GET")]
    for payload in ({"answers": {"half": ["a"]}}, {"answers": {"half": ["zzz"], "bigger": ["x"]}}, {"x": 1}):
        responses.append(call(first.block(usage_1), "submit", payload))
    responses.append(call(first.block(usage_1), "submit", method="GET"))
    for status, data in responses:
        assert not sentinels(json.dumps(data)), (status, data)
        assert status in (200, 400, 405)


def test_after_submitting_only_chosen_feedback_and_no_key_is_sent(env):
    usage = load(env)
    status, data = call(env.block(usage), "submit", {"answers": {"half": ["c"], "bigger": ["y"]}})
    text = json.dumps(data)
    assert status == 200 and "SENTINEL-FB-HALF-C" in text and "SENTINEL-FB-BIG-Y" in text
    assert "SENTINEL-FB-HALF-A" not in text and "SENTINEL-FB-BIG-X" not in text and "SENTINEL-FB-BIG-Z" not in text
    _status, state = call(env.block(usage), "student_view_user_state", method="GET")
    assert "SENTINEL" not in json.dumps(state)


def test_student_view_data_is_config_only_and_the_same_for_everyone(env):
    usage = load(env)
    call(env.block(usage, "ana"), "submit", WRONG)
    first = env.block(usage, "ana").student_view_data()
    assert first == env.block(usage, "ben").student_view_data()
    assert [q["id"] for q in first["questions"]] == ["half", "bigger"]
    assert set(first["questions"][0]) == {"id", "prompt", "kind", "skill", "choices"}
    assert set(first["questions"][0]["choices"][0]) == {"id", "text"}
    assert first["attempts_allowed"] == 2 and first["weight"] == 1.0


def test_student_view_user_state_returns_only_this_learners_state(env):
    usage = load(env)
    call(env.block(usage, "ana"), "submit", WRONG)
    status, data = call(env.block(usage, "ana"), "student_view_user_state", method="GET")
    assert status == 200 and data["learner_state"]["attempts"][0]["answers"] == WRONG["answers"]
    assert data["learner_state"]["version"] == core.STATE_VERSION
    assert call(env.block(usage, "ben"), "student_view_user_state", method="GET")[1] == {"learner_state": {}}


# --- bad input -------------------------------------------------------------------------------

BAD_BODIES = [b"", b"not json", b"[]", b'"x"', b"null", b'{"answers": NaN}', b'{"answers": Infinity}',
              b'{"answers": ' + b"[" * 5000 + b"]" * 5000 + b"}"]
BAD_PAYLOADS = [
    ({"answers": {"half": ["a"]}}, "answers.bigger"),
    ({"answers": {"half": ["a"], "bigger": []}}, "answers.bigger"),
    ({"answers": {"half": ["a", "b"], "bigger": ["x"]}}, "answers.half"),
    ({"answers": {"half": ["nope"], "bigger": ["x"]}}, "answers.half"),
    ({"answers": {"half": ["a"], "bigger": ["x", "x"]}}, "answers.bigger"),
    ({"answers": {"half": "a", "bigger": ["x"]}}, "answers.half"),
    ({"answers": {"half": [1], "bigger": ["x"]}}, "answers.half"),
    ({"answers": {"half": [None], "bigger": ["x"]}}, "answers.half"),
    ({"answers": {"half": [["a"]], "bigger": ["x"]}}, "answers.half"),
    ({"answers": {"half": ["a"], "bigger": ["x"], "ghost": ["a"]}}, "answers.ghost"),
    ({"answers": {"half": ["a"], "bigger": ["x"] * 11}}, "answers.bigger"),
    ({"answers": ["a", "x"]}, "answers"),
    ({"answers": None}, "answers"),
    ({}, "answers"),
    ({"answers": RIGHT["answers"], "score": 100}, "score"),
]


@pytest.mark.parametrize("body", BAD_BODIES)
def test_malformed_bodies_get_400_and_change_nothing(env, body):
    usage = load(env)
    call(env.block(usage), "submit", WRONG)
    before = field_snapshot(env, usage)
    status, data = call(env.block(usage), "submit", body=body)
    assert status == 400 and data["error"]
    assert field_snapshot(env, usage) == before


@pytest.mark.parametrize("payload, field", BAD_PAYLOADS)
def test_invalid_answers_get_400_naming_the_field_and_change_nothing(env, payload, field):
    usage = load(env)
    call(env.block(usage), "submit", WRONG)
    before, events = field_snapshot(env, usage), len(env.events)
    status, data = call(env.block(usage), "submit", payload)
    assert status == 400
    assert data["field"] == field and field + ":" not in data["error"]
    assert field_snapshot(env, usage) == before and len(env.events) == events
    assert env.block(usage).attempts_used() == 1


def test_get_is_refused_with_405(env):
    assert call(env.block(load(env)), "submit", method="GET")[0] == 405


def test_invalid_authored_questions_render_a_notice_and_refuse_submits(env):
    usage = env.load("<personalized_skill_check questions='[{\"id\": \"q\"}]'/>")
    block = env.block(usage)
    html = html_of(block)
    assert "not set up yet" in html and "<form" not in html
    assert block.student_view_data()["questions"] == [] and block.max_score() == 0.0
    status, data = call(block, "submit", RIGHT)
    assert status == 400 and data["field"] == "questions"


def test_garbled_stored_state_renders_defaults(env, caplog):
    usage = load(env)
    block = env.block(usage)
    block.learner_state = {"version": 1, "used": "many", "attempts": 7}
    block.save()
    block = env.block(usage)
    html = html_of(block)
    assert 'type="submit"' in html and "Your result" not in html
    assert block.percent() is None and block.skill_attempts() == {} and block.attempts_used() == 0
    assert "unreadable learner state" in caplog.text


# --- scoring -----------------------------------------------------------------------------------

def test_score_before_any_submission(env):
    block = env.block(load(env, extra='weight="3"'))
    assert block.has_score and block.weight == 3.0
    assert block.get_score() == (0.0, 2.0) and not block.has_submitted_answer() and block.percent() is None


def test_rescore_uses_the_current_key(env):
    usage = load(env)
    call(env.block(usage), "submit", WRONG)
    fixed = json.loads(json.dumps(QUESTIONS))
    fixed[0]["correct"] = ["b"]
    staff = env.block(usage)
    staff.questions = fixed
    staff.save()
    block = env.block(usage)
    assert block.calculate_score() == (1.0, 2.0) and block.get_score() == (0.0, 2.0)
    block.rescore(only_if_higher=False)
    block.save()
    assert env.block(usage).get_score() == (1.0, 2.0)
    assert env.block(usage).skill_results()["fractions"] == {"correct": 1, "total": 1}
    assert env.events_named("grade")[-1]["data"] == {"value": 1.0, "max_value": 2.0, "only_if_higher": False}
    # a lower score with only_if_higher keeps the stored one
    staff = env.block(usage)
    staff.questions = QUESTIONS
    staff.save()
    block = env.block(usage)
    block.rescore(only_if_higher=True)
    block.save()
    assert env.block(usage).get_score() == (1.0, 2.0)
    with pytest.raises(ValueError):
        env.block(usage, "nobody").rescore(only_if_higher=False)


def test_set_score_persists(env):
    usage = load(env)
    call(env.block(usage), "submit", WRONG)
    block = env.block(usage)
    block.set_score(block.calculate_score()._replace(raw_earned=1.0))
    block.save()
    assert env.block(usage).get_score() == (1.0, 2.0)


# --- Studio, OLX, reports ------------------------------------------------------------------------

def test_studio_validation_names_the_problems():
    env = BlockEnv()
    bad = json.loads(json.dumps(QUESTIONS))
    bad[0]["correct"] = ["a", "b"]
    bad[1]["correct"] = ["nope"]
    usage = load(env, bad, extra='attempts_allowed="-1"')
    messages = [message.text for message in env.block(usage).validate().messages]
    assert any("questions[0].correct" in text and "exactly one" in text for text in messages)
    assert any("questions[1].correct" in text and "not one of the choices" in text for text in messages)
    assert any("Attempts allowed" in text for text in messages)
    good = BlockEnv()
    assert not good.block(load(good)).validate().messages


def test_studio_save_validates_before_writing(env):
    usage = load(env)
    block = env.block(usage, "staff", staff=True)
    status, data = call(block, "submit_studio_edits", {
        "values": {"questions": [], "display_name": "Changed"}, "defaults": []})
    assert status == 400 and "at least one question" in json.dumps(data)
    fresh = env.block(usage, "staff", staff=True)
    assert fresh.display_name == "Check <1>" and fresh.questions == QUESTIONS
    status, _data = call(fresh, "submit_studio_edits", {"values": {"attempts_allowed": 5}, "defaults": []})
    assert status == 200 and env.block(usage).attempts_allowed == 5


def test_olx_export_and_import_round_trip_every_authored_field():
    env = BlockEnv()
    usage = load(env, extra='attempts_allowed="4" shuffle="true" weight="2.5" instructions="Go &lt;now&gt;"')
    block, copy = olx_round_trip(env, usage)
    for name in SkillCheckBlock.editable_fields:
        assert getattr(copy, name) == getattr(block, name), name
    assert copy.questions[0]["prompt"].endswith("</b>?") and copy.shuffle is True


UserState = namedtuple("UserState", "username state")


def test_report_rows(env):
    usage = load(env)
    call(env.block(usage, "ana"), "submit", WRONG)
    call(env.block(usage, "ana"), "submit", RIGHT)
    block = env.block(usage, "staff", staff=True)
    states = [UserState("ana", {"learner_state": env.block(usage, "ana").learner_state}),
              UserState("ben", {"learner_state": {"garbled": True}})]
    rows = list(block.generate_report_data(iter(states)))
    assert [row[0] for row in rows] == ["ana", "ana"]
    first, second = rows[0][1], rows[1][1]
    assert first["attempt"] == 1 and first["score"] == "0/2" and first["answers"] == "half=b; bigger=x"
    assert first["skills"] == "fractions=0/1; comparing=0/1" and first["correct"] == ""
    assert second["score"] == "2/2" and second["correct"] == "half; bigger" and second["submitted_at"].startswith("20")
    assert len(list(block.generate_report_data(iter(states), limit_responses=1))) == 1


def test_workbench_scenarios_load():
    scenarios = SkillCheckBlock.workbench_scenarios()
    assert len(scenarios) >= 2
    for _title, xml in scenarios:
        env = BlockEnv()
        block = env.block(env.load(xml))
        assert not block.validate().messages
        assert "pp-skill-check" in html_of(block)
