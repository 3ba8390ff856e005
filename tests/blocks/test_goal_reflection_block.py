"""Goal reflection block on the XBlock TestRuntime: goals, check-ins, revisions, conflicts, bad input, reports."""
import json
from collections import namedtuple
from datetime import date, datetime, timedelta, timezone

import pytest

from personalized_path.core import goals as core
from personalized_path.goal_reflection import GoalReflectionBlock
from tests.harness import BlockEnv, call, field_snapshot, html_of, olx_round_trip, unisolated

OLX = """
<personalized_goal_reflection display_name="Goals &lt;unit&gt;"
  long_term_prompt="By the end, I want to &lt;b&gt;...&lt;/b&gt;"
  short_term_prompts='["This week I will", "Next week I will"]'
  min_chars="5" max_chars="200" checkin_count="2" checkin_interval_days="7" {extra}/>
"""
SA_OLX = """
<personalized_self_assessment display_name="Fractions check"
  statements='[{"id": "compare", "text": "I can compare fractions", "skill": "fractions"}]'
  scale='[{"label": "Not yet"}, {"label": "With help"}, {"label": "On my own"}]'/>
"""
TODAY = datetime.now(timezone.utc).date()
SOON = (TODAY + timedelta(days=30)).isoformat()
LATER = (TODAY + timedelta(days=200)).isoformat()


def goals_payload(rev=0, **changes):
    payload = {"revision": rev, "goals": {
        "long": {"text": "Add any two fractions <script>alert(1)</script>", "smart": ["S", "T"], "target_date": LATER},
        "short-1": {"text": "Practise ten sums", "smart": ["M"], "target_date": SOON},
        "short-2": {"text": "Ask for help on Friday", "smart": [], "target_date": SOON},
    }}
    for path, value in changes.items():
        target = payload
        parts = path.split("__")
        for part in parts[:-1]:
            target = target[part]
        if value is DROP:
            del target[parts[-1]]
        else:
            target[parts[-1]] = value
    return payload


DROP = object()
CHECKIN = {"progress": {"long": 1, "short-1": 2, "short-2": 0}, "helped": "The worked examples",
           "obstacles": "Little time after work", "next_step": "Do five sums a day"}


def checkin(revision, **changes):
    return dict(CHECKIN, revision=revision, **changes)


def load(env, extra=""):
    return env.load(OLX.replace("{extra}", extra))


def with_goals(env, extra="", user="student_1"):
    usage = load(env, extra)
    status, data = call(env.block(usage, user), "save_goals", goals_payload())
    assert status == 200, data
    return usage


def test_first_view_is_the_goal_form_with_smart_guidance_and_date_limits(env):
    usage = load(env)
    html = html_of(env.block(usage))
    assert html.count('<fieldset class="pp-goal" data-goal=') == 3
    assert html.count('type="checkbox"') == 3 * 5
    assert "Give it a date to aim for." in html and "Say how you will know" in html
    assert f'min="{(TODAY - timedelta(days=1)).isoformat()}"' in html
    assert f'max="{core.latest_target(TODAY).isoformat()}"' in html
    assert 'data-form="checkin"' not in html and 'data-revision="0"' in html
    assert "pp-goal-reflection:" in html and ":student_1" in html  # draft key: block and learner


def test_setting_goals_completes_publishes_and_counts_learners(env):
    usage = with_goals(env)
    block = env.block(usage)
    assert block.has_goals_set() and not env.block(usage, "other").has_goals_set()
    state = block.learner_state
    assert state["version"] == 1 and state["revision"] == 1 and state["goals"]["long"]["smart"] == ["S", "T"]
    assert [event["data"]["completion"] for event in env.events_named("completion")] == [1.0]
    event = env.events_named("goal_reflection.goals_set")[0]["data"]
    assert event["goals"] == ["long", "short-1", "short-2"] and event["target_dates"]["long"] == LATER
    assert "Practise" not in json.dumps(event)  # events carry ids and dates, not the learner's words
    assert block.class_counts == {"version": 1, "learners_with_goals": 1, "checkins": 0}
    html = html_of(block)
    assert "Your goals" in html and 'data-form="checkin"' in html and "Revise your goals" in html


def test_first_save_answers_with_the_parts_it_changes(env):
    usage = load(env)
    status, data = call(env.block(usage), "save_goals", goals_payload())
    assert status == 200 and "html" not in data and data["revision"] == 1
    # The form becomes "revise your goals", the check-in form and the timeline appear.
    assert sorted(data["parts"]) == ["checkin", "current", "goals", "timeline"]
    assert "Revise your goals" in data["parts"]["goals"] and 'data-form="checkin"' in data["parts"]["checkin"]
    # The form's fields are what the learner typed, now stored: the page keeps its own (data-keep).
    assert '<div class="pp-goal-fields" data-keep="goal-fields"></div>' in data["parts"]["goals"]
    assert "data-goal=" not in data["parts"]["goals"] and "Practise ten sums" not in data["parts"]["goals"]
    view = html_of(env.block(usage))
    assert 'data-keep="goal-fields">' in view and view.count('<fieldset class="pp-goal" data-goal=') == 3
    assert "Goals set" in data["parts"]["timeline"]
    status, data = call(env.block(usage, "staff", staff=True), "save_goals", goals_payload())
    assert "1 learner has set goals here." in data["parts"]["counts"]  # staff: the class counts changed too


def test_checkins_show_earlier_goal_and_last_checkin_and_build_a_timeline(env):
    usage = with_goals(env)
    status, data = call(env.block(usage), "check_in", checkin(1))
    assert status == 200 and data["revision"] == 2
    status, data = call(env.block(usage), "check_in", checkin(2, next_step="Finish the sheet", progress={
        "long": 2, "short-1": 4, "short-2": 1}))
    assert status == 200 and "html" not in data  # a check-in changes three parts of the view, not the form above
    assert sorted(data["parts"]) == ["checkin", "current", "timeline"] and data["revision"] == 3
    current = data["parts"]["current"]
    assert 'data-part="current"' in current
    assert "Practise ten sums" in current and "Your last check-in" in current and "Finish the sheet" in current
    assert "Check-ins so far: 2 of 2." in data["parts"]["checkin"]
    timeline = data["parts"]["timeline"].split("Your timeline")[1]
    assert timeline.index("Check-in 2") < timeline.index("Check-in 1") < timeline.index("Goals set")
    assert "Achieved" in timeline and "Do five sums a day" in timeline
    state = env.block(usage).learner_state
    assert state["checkins"] == 2 and [entry["kind"] for entry in state["timeline"]] == ["goals", "checkin", "checkin"]
    assert len(env.events_named("checked_in")) == 2
    assert env.block(usage).class_counts["checkins"] == 2


def test_revising_keeps_every_version_with_dates(env):
    usage = with_goals(env)
    payload = goals_payload(1, **{"goals__short-1__text": "Practise twenty sums", "goals__short-1__smart": ["M", "A"]})
    status, data = call(env.block(usage), "save_goals", payload)
    assert status == 200
    state = env.block(usage).learner_state
    assert state["goals"]["short-1"]["versions"] == 2 and state["goals"]["long"].get("versions") == 1
    entry = state["timeline"][-1]
    assert entry["change"] == "revise" and list(entry["goals"]) == ["short-1"] and entry["at"]
    # A revision leaves the form holding what was typed, now stored: it is not sent again.
    assert sorted(data["parts"]) == ["checkin", "current", "timeline"] and data["revision"] == 2
    assert "Practise twenty sums" in data["parts"]["current"] and "Practise twenty sums" in data["parts"]["checkin"]
    timeline = data["parts"]["timeline"].split("Your timeline")[1]
    assert timeline.index("Practise twenty sums") < timeline.index("Practise ten sums")
    assert "Goals revised" in timeline
    assert env.events_named("goals_revised")[0]["data"]["goals"] == ["short-1"]
    assert len(env.events_named("completion")) == 1
    assert env.block(usage).class_counts["learners_with_goals"] == 1


def test_a_save_based_on_an_old_revision_gets_409_and_changes_nothing(env):
    usage = with_goals(env)
    call(env.block(usage), "check_in", checkin(1))  # another tab
    before = field_snapshot(env, usage)
    status, data = call(env.block(usage), "check_in", checkin(1))
    assert status == 409 and data["revision"] == 2 and data["stale"] is True and "another tab" in data["error"]
    assert 'data-revision="2"' in data["html"]
    status, data = call(env.block(usage), "save_goals", goals_payload(1, **{"goals__long__text": "New long goal"}))
    assert status == 409
    assert field_snapshot(env, usage) == before
    assert call(env.block(usage), "refresh", {})[1]["revision"] == 2


def test_saving_unchanged_goals_is_refused(env):
    usage = with_goals(env)
    before = field_snapshot(env, usage)
    status, data = call(env.block(usage), "save_goals", goals_payload(1))
    assert status == 400 and data["field"] == "goals" and "Nothing has changed" in data["error"]
    assert field_snapshot(env, usage) == before


def test_a_passed_target_date_stays_acceptable_while_unchanged(env):
    usage = with_goals(env)
    block = env.block(usage)
    state = dict(block.learner_state)
    past = (TODAY - timedelta(days=40)).isoformat()
    state["goals"] = dict(state["goals"], long=dict(state["goals"]["long"], target=past))
    block.learner_state = state
    block.save()
    status, _data = call(env.block(usage), "save_goals", goals_payload(
        1, **{"goals__long__target_date": past, "goals__short-2__text": "Ask on Thursday"}))
    assert status == 200
    status, data = call(env.block(usage), "save_goals", goals_payload(
        2, **{"goals__long__target_date": (TODAY - timedelta(days=39)).isoformat()}))
    assert status == 400 and data["field"] == "goals.long.target_date"


FAR = (core.latest_target(TODAY) + timedelta(days=1)).isoformat()
BAD_GOALS = [
    ({"goals__long__text": "x" * 201}, "goals.long.text"),
    ({"goals__long__text": "€" * 201}, "goals.long.text"),
    ({"goals__long__text": "😀" * 160}, "goals.long.text"),  # 160 characters but 640 bytes (limit 600)
    ({"goals__long__text": "abc "}, "goals.long.text"),
    ({"goals__long__text": "    "}, "goals.long.text"),
    ({"goals__long__text": "bell\x07ring"}, "goals.long.text"),
    ({"goals__long__text": 12345}, "goals.long.text"),
    ({"goals__long__text": DROP}, "goals.long.text"),
    ({"goals__long__target_date": "2027-02-30"}, "goals.long.target_date"),
    ({"goals__long__target_date": "01/03/2027"}, "goals.long.target_date"),
    ({"goals__long__target_date": ""}, "goals.long.target_date"),
    ({"goals__long__target_date": 20270301}, "goals.long.target_date"),
    ({"goals__long__target_date": (TODAY - timedelta(days=2)).isoformat()}, "goals.long.target_date"),
    ({"goals__long__target_date": FAR}, "goals.long.target_date"),
    ({"goals__long__target_date": "99999-01-01"}, "goals.long.target_date"),
    ({"goals__long__smart": ["S", "X"]}, "goals.long.smart"),
    ({"goals__long__smart": ["S", "S"]}, "goals.long.smart"),
    ({"goals__long__smart": "S"}, "goals.long.smart"),
    ({"goals__long__extra": 1}, "goals.long.extra"),
    ({"goals__long": "text"}, "goals.long"),
    ({"goals__short-2": DROP}, "goals.short-2"),
    ({"goals__short-9": {"text": "Ghost goal", "target_date": SOON}}, "goals.short-9"),
    ({"goals": []}, "goals"),
    ({"goals": DROP}, "goals"),
    ({"plan": {"woop_wish": "Not asked here"}}, "plan.woop_wish"),
    ({"revision": "0"}, "revision"),
    ({"revision": True}, "revision"),
    ({"revision": -1}, "revision"),
    ({"revision": DROP}, "revision"),
    ({"admin": True}, "admin"),
]


@pytest.mark.parametrize("changes, field", BAD_GOALS)
def test_invalid_goals_get_400_naming_the_field_and_change_nothing(env, changes, field):
    usage = load(env)
    before = field_snapshot(env, usage)
    status, data = call(env.block(usage), "save_goals", goals_payload(**changes))
    assert status == 400, data
    assert data["field"] == field and field + ":" not in data["error"]
    assert field_snapshot(env, usage) == before
    assert not env.events


BAD_CHECKINS = [
    ({"progress": {"long": 1, "short-1": 2}}, "progress.short-2"),
    ({"progress": {"long": 5, "short-1": 2, "short-2": 0}}, "progress.long"),
    ({"progress": {"long": -1, "short-1": 2, "short-2": 0}}, "progress.long"),
    ({"progress": {"long": True, "short-1": 2, "short-2": 0}}, "progress.long"),
    ({"progress": {"long": 1.5, "short-1": 2, "short-2": 0}}, "progress.long"),
    ({"progress": {"long": 1, "short-1": 2, "short-2": 0, "ghost": 1}}, "progress.ghost"),
    ({"progress": [1, 2, 3]}, "progress"),
    ({"helped": "ok"}, "helped"),
    ({"obstacles": "y" * 201}, "obstacles"),
    ({"next_step": "line\x00break"}, "next_step"),
    ({"next_step": None}, "next_step"),
    ({"mood": "fine"}, "mood"),
]


@pytest.mark.parametrize("changes, field", BAD_CHECKINS)
def test_invalid_checkins_get_400_naming_the_field_and_change_nothing(env, changes, field):
    usage = with_goals(env)
    before = field_snapshot(env, usage)
    status, data = call(env.block(usage), "check_in", checkin(1, **changes))
    assert status == 400, data
    assert data["field"] == field and field + ":" not in data["error"]
    assert field_snapshot(env, usage) == before


def test_a_checkin_before_goals_are_set_is_refused(env):
    usage = load(env)
    status, data = call(env.block(usage), "check_in", checkin(0))
    assert status == 400 and data["field"] == "progress" and "Set your goals" in data["error"]


@pytest.mark.parametrize("body", [b"", b"nope", b"[]", b"null", b'{"revision": NaN}',
                                  b'{"goals": ' + b"[" * 3000 + b"]" * 3000 + b"}"])
def test_malformed_bodies_get_400_and_change_nothing(env, body):
    usage = with_goals(env)
    before = field_snapshot(env, usage)
    for handler in ("save_goals", "check_in", "refresh"):
        status, data = call(env.block(usage), handler, body=body)
        assert status == 400 and data["error"]
    assert field_snapshot(env, usage) == before


def test_get_is_refused_with_405(env):
    usage = load(env)
    assert call(env.block(usage), "save_goals", method="GET")[0] == 405
    assert call(env.block(usage), "check_in", method="GET")[0] == 405


def test_author_and_learner_markup_is_shown_literally(env):
    usage = with_goals(env)
    call(env.block(usage), "check_in", checkin(1, helped="<img src=x onerror=alert(1)> examples"))
    html = html_of(env.block(usage))
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html and "&lt;img src=x" in html
    assert "<b>...</b>" not in html and "&lt;b&gt;...&lt;/b&gt;" in html


def test_woop_and_if_then_plans_are_saved_and_revised(env):
    usage = load(env, 'show_smart="false" show_woop="true" show_if_then="true"')
    html = html_of(env.block(usage))
    assert 'type="checkbox"' not in html and 'data-field="plan.woop_obstacle"' in html and "…then I will" in html
    payload = goals_payload(**{"goals__long__smart": [], "goals__short-1__smart": []})
    payload["plan"] = {"woop_wish": "Pass the unit", "woop_obstacle": "I put things off", "if_when": "If it is 7pm",
                       "then_do": "then I open the sheet"}
    status, data = call(env.block(usage), "save_goals", payload)
    assert status == 200 and "I put things off" in data["parts"]["current"]
    state = env.block(usage).learner_state
    assert state["plan"]["woop_outcome"] == "" and state["timeline"][0]["plan"]["if_when"] == "If it is 7pm"
    status, data = call(env.block(usage), "save_goals", goals_payload(**{"goals__long__smart": ["S"]}))
    assert status == 400 and data["field"] == "goals.long.smart"
    payload["revision"], payload["plan"]["woop_plan"] = 1, "Start with one sum"
    assert call(env.block(usage), "save_goals", payload)[0] == 200
    entry = env.block(usage).learner_state["timeline"][-1]
    assert entry["goals"] == {} and entry["plan"]["woop_plan"] == "Start with one sum"


def test_graded_checkins_earn_credit_per_checkin_up_to_the_count(env):
    usage = with_goals(env, 'grade_checkins="true" weight="4"')
    block = env.block(usage)
    assert block.has_score and block.max_score() == 2.0 and block.get_score().raw_earned == 0
    for revision in (1, 2, 3):
        assert call(env.block(usage), "check_in", checkin(revision))[0] == 200
    grades = [(event["data"]["value"], event["data"]["max_value"]) for event in env.events_named("grade")]
    assert grades == [(1.0, 2.0), (2.0, 2.0)]
    assert env.block(usage).calculate_score().raw_earned == 2.0
    other = BlockEnv()
    assert not other.block(with_goals(other)).has_score


def test_timeline_is_bounded_but_counts_keep_counting(env):
    usage = with_goals(env)
    for revision in range(1, core.TIMELINE_CAP + 6):
        assert call(env.block(usage), "check_in", checkin(revision))[0] == 200
    state = env.block(usage).learner_state
    assert len(state["timeline"]) == core.TIMELINE_CAP and state["checkins"] == core.TIMELINE_CAP + 5
    assert "6 earlier entries are no longer shown" in html_of(env.block(usage))


def test_student_view_data_is_configuration_only_and_the_same_for_everyone(env):
    usage = with_goals(env, user="ana")
    first = env.block(usage, "ana").student_view_data()
    assert first == env.block(usage, "ben").student_view_data()
    assert "Practise" not in json.dumps(first)
    assert [goal["id"] for goal in first["goals"]] == ["long", "short-1", "short-2"]


def test_student_view_user_state_returns_only_this_learners_state(env):
    usage = with_goals(env, user="ana")
    status, data = call(env.block(usage, "ana"), "student_view_user_state", method="GET")
    assert status == 200 and data["learner_state"]["goals"]["short-1"]["text"] == "Practise ten sums"
    assert call(env.block(usage, "ben"), "student_view_user_state", method="GET")[1] == {"learner_state": {}}


def test_class_counts_hold_no_learner_text_and_survive_garbling(env):
    usage = with_goals(env, user="ana")
    call(env.block(usage, "ana"), "check_in", checkin(1))
    block = env.block(usage, "ben")
    assert "Practise" not in json.dumps(block.class_counts)
    block.class_counts = {"version": 1, "learners_with_goals": "many", "checkins": -3}
    block.save()
    env.cache.clear()  # without the shared cache's copy, the next writer starts from the stored value
    call(env.block(usage, "ben"), "save_goals", goals_payload())
    assert env.block(usage).class_counts == {"version": 1, "learners_with_goals": 1, "checkins": 0}
    staff_html = html_of(env.block(usage, "staff", staff=True))
    assert "1 learner has set goals here. 0 check-ins in all." in staff_html
    assert "set goals here" not in html_of(env.block(usage, "ana"))


def test_garbled_stored_state_renders_defaults(env, caplog):
    usage = load(env)
    block = env.block(usage)
    block.learner_state = {"version": 1, "revision": "x", "goals": [], "timeline": 4}
    block.save()
    assert 'data-form="goals"' in html_of(env.block(usage))
    assert "unreadable learner state" in caplog.text
    block.learner_state = {"version": 7}
    block.save()
    assert 'data-revision="0"' in html_of(env.block(usage))


UserState = namedtuple("UserState", "username state")


def test_report_rows_have_username_goals_dates_and_checkins(env):
    usage = with_goals(env, user="ana")
    call(env.block(usage, "ana"), "check_in", checkin(1))
    block = env.block(usage, "staff", staff=True)
    states = [UserState("ana", {"learner_state": env.block(usage, "ana").learner_state}),
              UserState("ben", {"learner_state": "garbled"})]
    rows = list(block.generate_report_data(iter(states)))
    assert [row[0] for row in rows] == ["ana", "ana"]
    assert rows[0][1]["entry"] == "goals set" and f"short-1: Practise ten sums (target {SOON})" in rows[0][1]["goals"]
    assert rows[1][1]["entry"] == "checkin" and rows[1][1]["progress"] == "long=1; short-1=2; short-2=0"
    assert rows[1][1]["next_step"] == "Do five sums a day" and rows[1][1]["at"].startswith("20")
    assert len(list(block.generate_report_data(iter(states), limit_responses=1))) == 1


def link(env, **references):
    attributes = " ".join(f'{name}="{value}"' for name, value in references.items())
    return load(env, attributes)


def test_linked_self_assessment_ratings_are_recalled(env):
    source = env.load(SA_OLX)
    usage = link(env, self_assessment=source)
    assert "What you reported elsewhere" not in html_of(env.block(usage))  # nothing rated yet
    assert call(env.block(source), "submit", {"ratings": {"compare": 2}})[0] == 200
    html = html_of(env.block(usage))
    html = unisolated(html)
    assert "Your self-assessment (Fractions check)" in html and "I can compare fractions — With help" in html
    assert "I can compare fractions" not in html_of(env.block(usage, "other"))


def test_missing_deleted_or_wrong_type_links_are_skipped(env, caplog):
    other = load(env)
    for references in ({"self_assessment": "no-such-block"}, {"self_assessment": other},
                       {"skill_check": other, "mastery_gate": "gone.personalized_mastery_gate.d9.u0"}):
        usage = link(env, **references)
        block = env.block(usage)
        assert "What you reported elsewhere" not in html_of(block)
        assert call(block, "save_goals", goals_payload())[0] == 200


def test_studio_validation_names_each_problem(env):
    usage = env.load('<personalized_goal_reflection short_term_prompts="[]" min_chars="300" max_chars="200" '
                     'checkin_count="0" grade_checkins="true" helped_prompt=" "/>')
    messages = " ".join(message.text for message in env.block(usage).validate().messages)
    for setting in ("Short-term goal prompts", "Minimum length", "Grade check-ins", "Check-in prompt: what helped"):
        assert f"\u201c{setting}\u201d:" in messages
    assert not env.block(load(env)).validate().messages


def test_studio_save_validates_before_writing(env):
    usage = load(env)
    block = env.block(usage, "staff", staff=True)
    status, data = call(block, "submit_studio_edits", {
        "values": {"max_chars": 5000, "display_name": "Changed"}, "defaults": []})
    assert status == 400 and "\u201cMaximum length\u201d: Expected a number from 20 to 2000." in str(data)
    assert env.block(usage).display_name == "Goals <unit>"
    status, data = call(env.block(usage, "staff", staff=True), "submit_studio_edits", {
        "values": {"short_term_prompts": ["Only one"], "self_assessment": "some.usage.id"}, "defaults": []})
    assert status == 400 and data["errors"] == [
        {"field": "self_assessment", "message": "The linked block some.usage.id does not exist in this course."}]
    assessment = env.load("<personalized_self_assessment/>")
    status, _data = call(env.block(usage, "staff", staff=True), "submit_studio_edits", {
        "values": {"short_term_prompts": ["Only one"], "self_assessment": assessment}, "defaults": []})
    assert status == 200 and env.block(usage).short_term_prompts == ["Only one"]
    studio = env.block(usage, "staff", staff=True).render("studio_view", {}).body_html()
    assert "Linked self-assessment" in studio and "Short-term goal prompts" in studio


def test_olx_round_trip_keeps_every_authored_field():
    env = BlockEnv()
    usage = env.load(OLX.replace("{extra}", 'show_woop="true" grade_checkins="true" weight="2.5" '
                                            'self_assessment="course.personalized_self_assessment.d0.u0"'))
    block, copy = olx_round_trip(env, usage)
    for name in GoalReflectionBlock.editable_fields:
        assert getattr(copy, name) == getattr(block, name), name
    assert copy.self_assessment == "course.personalized_self_assessment.d0.u0"


def test_odd_imported_settings_do_not_break_the_view(env):
    usage = env.load('<personalized_goal_reflection short_term_prompts=\'["One", 2, "Three", "Four", "Five"]\' '
                     'checkin_count="-4"/>')
    html = html_of(env.block(usage))
    assert html.count('<fieldset class="pp-goal" data-goal=') == 1 + core.MAX_SHORT_TERM
    assert env.block(usage).validate().messages


def test_workbench_scenarios_are_titled():
    titles = [title for title, _xml in GoalReflectionBlock.workbench_scenarios()]
    assert titles[0].startswith("Goal reflection") and len(titles) == 2


def test_today_is_the_date_on_the_blocks_clock(env):
    usage = load(env)
    today = env.block(usage).today()
    assert isinstance(today, date)
    env.clock.advance(3)  # the runtime's clock (the workbench's moves with a cookie): dates follow it
    assert env.block(usage).today() == today + timedelta(days=3)
    assert call(env.block(usage), "save_goals", goals_payload())[0] == 200
    assert env.block(usage).learner_state["timeline"][-1]["at"][:10] == (today + timedelta(days=3)).isoformat()


SKILL_OLX = """
<personalized_skill_check display_name="Fractions quiz" attempts_allowed="2"
  questions='[{"id": "half", "prompt": "Which is one half?", "kind": "single", "skill": "fractions",
    "choices": [{"id": "a", "text": "2/4"}, {"id": "b", "text": "1/3"}], "correct": ["a"]},
   {"id": "bigger", "prompt": "Bigger than 1/2?", "kind": "multiple", "skill": "comparing",
    "choices": [{"id": "x", "text": "2/3"}, {"id": "y", "text": "1/4"}], "correct": ["x"]}]'/>
"""


def test_linked_skill_check_results_are_recalled_as_measured_mastery(env):
    check = env.load(SKILL_OLX)
    usage = link(env, skill_check=check, mastery_gate=check)  # a gate link to a skill check is skipped
    assert "What you reported elsewhere" not in html_of(env.block(usage))
    status, data = call(env.block(check), "submit", {"answers": {"half": ["a"], "bigger": ["y"]}})
    assert status == 200, data
    html = html_of(env.block(usage))
    assert "Your skill check: 50% correct." in html
    html = unisolated(html)
    assert "fractions: 1 of 1 correct" in html and "comparing: 0 of 1 correct" in html
    assert "not unlocked yet" not in html
