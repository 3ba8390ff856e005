"""
Hardening of every block: request content types, who may see and save settings, settings of the
wrong shape in a Studio save, children the LMS refuses to render, privacy of class counts, and
learner text that must stay in the learner's own state.
"""
import copy
import json
import re

import pytest
from django.test import Client
from web_fragments.fragment import Fragment
from workbench.runtime_util import reset_global_state
from xblock.core import XBlock
from xblock.fields import Scope

from personalized_path import (ChoiceBoardBlock, GoalReflectionBlock, MasteryGateBlock, SelfAssessmentBlock,
                               SkillCheckBlock)
from personalized_path.core import privacy
from tests.builders import (ANSWERS, GARBLED, PAYLOADS, RATINGS, course_of_every_block, does_not_fit,
                            json_handlers)
from tests.harness import call, field_snapshot, in_studio

BLOCK_CLASSES = {"self_assessment": SelfAssessmentBlock, "skill_check": SkillCheckBlock,
                 "choice_board": ChoiceBoardBlock, "goal_reflection": GoalReflectionBlock,
                 "mastery_gate": MasteryGateBlock}


# --- content types, through the workbench's real Django stack (CSRF middleware included) -----------

@pytest.fixture
def browser():
    reset_global_state()
    return Client(enforce_csrf_checks=True)


def usage_on_page(browser, name):
    html = browser.get(f"/scenario/personalized_{name}.0/?student=staff_1").content.decode()
    return re.search(rf'data-usage="([^"]*personalized_{name}[^"]*)"', html).group(1)


NOT_JSON = {
    "multipart/form-data": lambda post: post(data={"values": "x", "file": "y"}),
    "application/x-www-form-urlencoded": lambda post: post(data="values=x&defaults=y",
                                                           content_type="application/x-www-form-urlencoded"),
    "text/plain": lambda post: post(data='{"values": {}}', content_type="text/plain"),
    "no content type": lambda post: post(data=b'{"values": {}}', content_type=""),
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(BLOCK_CLASSES))
@pytest.mark.parametrize("kind", sorted(NOT_JSON))
def test_a_body_that_is_not_json_gets_415_with_a_translated_message(browser, name, kind):
    usage = usage_on_page(browser, name)
    handlers = json_handlers(BLOCK_CLASSES[name]) + ["submit_studio_edits"]
    for handler in handlers:
        if handler == "submit_studio_edits" and kind == "application/x-www-form-urlencoded":
            continue  # xblock-utils' Studio editor sends its JSON this way: see the next test

        def post(handler=handler, **kwargs):
            return browser.post(f"/handler/{usage}/{handler}/?student=staff_1&lang=es",
                                HTTP_X_CSRFTOKEN=browser.cookies["csrftoken"].value, **kwargs)
        response = NOT_JSON[kind](post)
        assert response.status_code == 415, (handler, response.status_code, response.content[:300])
        assert response.json()["error"] == "Esta solicitud debe enviarse como JSON (Content-Type: application/json)."


@pytest.mark.django_db
def test_the_studio_editor_save_as_xblock_utils_sends_it_still_works(browser):
    usage = usage_on_page(browser, "skill_check")
    body = json.dumps({"values": {"display_name": "Renamed"}, "defaults": []})
    response = browser.post(f"/handler/{usage}/submit_studio_edits/?student=staff_1", data=body,
                            content_type="application/x-www-form-urlencoded; charset=UTF-8",
                            HTTP_X_CSRFTOKEN=browser.cookies["csrftoken"].value)
    assert response.status_code == 200, response.content
    html = browser.get("/scenario/personalized_skill_check.0/?student=staff_1").content.decode()
    assert "Renamed" in html


# --- who may see and change settings ----------------------------------------------------------------

def counting_loads(block):
    """Count the runtime's block loads (the gate's validation loads every source)."""
    loads = []
    original = block.runtime.get_block

    def get_block(usage_id, *args, **kwargs):
        loads.append(usage_id)
        return original(usage_id, *args, **kwargs)
    block.runtime.get_block = get_block
    return loads


@pytest.mark.parametrize("name", sorted(BLOCK_CLASSES))
def test_a_learner_gets_403_from_the_studio_save_before_anything_is_read(env, name):
    usage = course_of_every_block(env)[name]
    before = field_snapshot(env, usage)
    for body in (b"not json at all", json.dumps({"values": {"display_name": "Hacked"}, "defaults": []}).encode()):
        block = env.block(usage, "student_1")
        loads = counting_loads(block)
        status, data = call(block, "submit_studio_edits", body=body)
        assert status == 403 and data["error"] == "Only course staff can do this."
        assert not loads
    assert field_snapshot(env, usage) == before


def test_in_studio_the_course_teams_write_permission_decides(env):
    """Studio's user service reports nobody as staff; its permission service knows the course team."""
    usage = course_of_every_block(env)["skill_check"]
    values = json.dumps({"values": {"display_name": "By the author"}, "defaults": []}).encode()
    author = in_studio(env.block(usage, "author"))  # not staff by the user service, as everyone in Studio
    assert call(author, "submit_studio_edits", body=values)[0] == 200
    outsider = in_studio(env.block(usage, "staff_elsewhere", staff=True), can_write=False)
    assert call(outsider, "submit_studio_edits", body=values)[0] == 403
    assert "correct" not in outsider.render("studio_view", {}).body_html()
    assert env.block(usage).display_name == "By the author"


def test_the_answer_key_in_the_settings_editor_is_for_the_course_team_only(env):
    usage = course_of_every_block(env)["skill_check"]
    learner_view = env.block(usage, "student_1").render("studio_view", {}).body_html()
    assert "Only course staff can do this." in learner_view
    assert "correct" not in learner_view and "feedback" not in learner_view and "q1" not in learner_view
    staff_view = env.block(usage, "staff", staff=True).render("studio_view", {}).body_html()
    assert "correct" in staff_view and "Questions" in staff_view


# --- Studio saves with settings of the wrong shape ----------------------------------------------------

# Wrong shapes authors can type into the editor's JSON fields, beyond GARBLED.
SHAPES = GARBLED + [["a", "b"], [{"id": "x"}], {"child": ["low"]}, {"child": {"x": 1}}, [[1, 2]], "block-v1:x"]


@pytest.mark.parametrize("name", sorted(BLOCK_CLASSES))
def test_every_setting_of_the_wrong_shape_is_refused_with_a_sentence_naming_it(env, name):
    usage = course_of_every_block(env)[name]
    failures = []
    staff = env.block(usage, "staff", staff=True)
    editable = staff.editable_fields
    if name == "mastery_gate":
        child = staff.child_key(staff.children[0])
        extra = {"child_routes": [{child: ["low"]}, {child: {"id": "low"}}, {child: 3}, {child: None}]}
    else:
        extra = {}
    labels = [f"\u201c{staff.fields[name].display_name}\u201d" for name in editable]
    pristine = copy.deepcopy(env.kvs.db_dict)
    for field_name in editable:
        field = staff.fields[field_name]
        label = f"\u201c{field.display_name}\u201d"
        for value in SHAPES + extra.get(field_name, []):
            before = field_snapshot(env, usage)
            body = json.dumps({"values": {field_name: value}, "defaults": []}).encode()
            try:
                status, data = call(env.block(usage, "staff", staff=True), "submit_studio_edits", body=body)
            except Exception as error:  # pylint: disable=broad-except
                failures.append(f"{field_name}={value!r}: {type(error).__name__}: {error}")
                continue
            text = json.dumps(data, ensure_ascii=False)
            if status == 400:
                messages = [message["text"] for message in data["error"]["messages"]] \
                    if isinstance(data["error"], dict) else [data["error"]]
                unnamed = [message for message in messages if not any(label in message for label in labels)]
                if unnamed or (does_not_fit(field, value) and label not in text):
                    failures.append(f"{field_name}={value!r}: 400 without naming the setting: {unnamed or text}")
                if field_snapshot(env, usage) != before:
                    failures.append(f"{field_name}={value!r}: 400 but fields changed")
            elif status == 200:
                if does_not_fit(field, value):
                    failures.append(f"{field_name}={value!r}: a value of the wrong type was accepted")
                try:
                    env.block(usage, "student_1").render("student_view", {})
                except Exception as error:  # pylint: disable=broad-except
                    failures.append(f"{field_name}={value!r}: accepted, then the page fails: {error!r}")
            else:
                failures.append(f"{field_name}={value!r}: status {status}: {text[:200]}")
            env.kvs.db_dict = copy.deepcopy(pristine)
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures[:40])


def test_child_routes_mapping_a_child_to_a_list_is_a_sentence_not_a_500(env):
    usage = course_of_every_block(env)["mastery_gate"]
    staff = env.block(usage, "staff", staff=True)
    body = {"values": {"child_routes": {staff.child_key(staff.children[0]): ["low"]}}, "defaults": []}
    status, data = call(staff, "submit_studio_edits", body)
    assert status == 400
    assert "\u201cRoute of each child\u201d" in data["error"] and data["errors"][0]["field"].startswith("child_routes")


# --- children the LMS will not render for this learner ----------------------------------------------

class RefusedChild(XBlock):
    """A child the runtime refuses for this learner (staff only, another cohort, content gating)."""

    def student_view(self, context=None):
        raise PermissionError("not for this learner")


class NoChild(XBlock):
    """A child whose view gives nothing, as the LMS's loader gives None for a child the learner may not load."""

    def student_view(self, context=None):
        return None


@XBlock.register_temp_plugin(RefusedChild, "refused_child")
@XBlock.register_temp_plugin(NoChild, "no_child")
def test_the_gate_skips_children_the_runtime_refuses_or_gives_nothing_for(env):
    check = env.load('<personalized_skill_check max_attempts="0"/>')
    gate = env.load(f"""<personalized_mastery_gate threshold="0" sources='["{check}"]'>
        <html_demo><p>Before</p></html_demo><refused_child/><no_child/><html_demo><p>After</p></html_demo>
        </personalized_mastery_gate>""")
    assert call(env.block(check), "submit", ANSWERS)[0] == 200
    for block in (env.block(gate), env.block(gate, "staff", staff=True)):
        html = block.render("student_view", {}).body_html()
        assert "Before" in html and "After" in html
        assert "refused_child" not in html and "no_child" not in html
    status, data = call(env.block(gate), "check_again", {})
    assert status == 200 and data["unlocked"] and "After" in data["html"]


# --- privacy of class counts ------------------------------------------------------------------------

def test_learners_see_choice_counts_only_from_five_learners_and_only_in_batches(env):
    usage = env.load('<personalized_choice_board show_stats_to_learners="true"/>')

    def html(user):
        return env.block(usage, user).render("student_view", {}).body_html()
    for number in range(1, 5):
        assert call(env.block(usage, f"learner{number}"), "choose", {"tiles": ["read-chapter"]})[0] == 200
        assert "What learners choose" not in html("learner1")
        assert "appears once at least 5 learners have chosen" in html("learner1")
    assert call(env.block(usage, "learner5"), "choose", {"tiles": ["read-chapter"]})[0] == 200
    seen = html("learner1")
    assert "Anonymous counts from 5 learners." in seen
    assert "Updated after every 5 changes" in seen
    # One more learner's choice changes nothing that learners see, until a batch of 5 is complete.
    assert call(env.block(usage, "learner6"), "choose", {"tiles": ["watch-talk"]})[0] == 200

    def table(text):
        return re.findall(r"<td>[^<]*</td>", text)
    assert table(html("learner1")) == table(seen)
    staff = env.block(usage, "staff", staff=True).render("student_view", {}).body_html()
    assert "Anonymous counts from 6 learners." in staff
    for number in range(7, 11):
        assert call(env.block(usage, f"learner{number}"), "choose", {"tiles": ["watch-talk"]})[0] == 200
    assert "Anonymous counts from 10 learners." in html("learner1")


def test_the_class_comparison_never_reveals_one_new_submission(env):
    usage = env.load('<personalized_self_assessment show_class_comparison="true"/>')

    def comparison(user):
        text = env.block(usage, user).render("student_view", {}).body_html()
        return re.findall(r'pp-compare-value">([^<]*)<', text) + re.findall(r"updated after every \d+ ratings", text)
    for number in range(1, 6):
        assert call(env.block(usage, f"learner{number}"), "submit", RATINGS)[0] == 200
    shown = comparison("learner1")
    assert "5 learners (100%)" in shown and "updated after every 5 ratings" in shown
    assert call(env.block(usage, "learner6"), "submit", {"ratings": {"explain-idea": 4, "apply-idea": 4}})[0] == 200
    assert comparison("learner1") == shown and comparison("learner6") == shown
    assert call(env.block(usage, "learner1"), "submit", {"ratings": {"explain-idea": 1, "apply-idea": 1}})[0] == 200
    assert comparison("learner2") == shown
    summary = env.block(usage).class_distribution
    assert summary["pending"] == 2 and privacy.shown_to_learners(summary)["learners"] == 5


def test_texts_about_privacy_say_who_sees_what(env):
    assessment = env.block(env.load("<personalized_self_assessment/>")).render("student_view", {}).body_html()
    assert "Nobody else sees" not in assessment
    assert "Your course team can see your ratings and evidence with your username" in assessment
    assert "activity log records your ratings" in assessment
    goals = env.block(env.load("<personalized_goal_reflection/>")).render("student_view", {}).body_html()
    assert "Your course team can see your goals and check-ins with your username" in goals


def test_the_default_privacy_text_is_translated(env):
    from django.utils import translation  # pylint: disable=import-outside-toplevel
    usage = env.load("<personalized_self_assessment/>")
    with translation.override("es"):
        html = env.block(usage).render("student_view", {}).body_html()
    assert "Your course team" not in html and "nombre de usuario" in html


# --- learner text stays in the learner's own state ------------------------------------------------

MARKER = "Zq7-private-words"


def test_no_learner_text_leaves_the_learners_own_state(env):
    """
    What retirement cannot reach by user: shared summaries, settings, content and tracking events.
    (The skill check takes choice ids only, so it has no learner text.)
    """
    usages = course_of_every_block(env)
    marked = {
        "submit": {"ratings": RATINGS["ratings"], "evidence": {"explain-idea": MARKER, "apply-idea": MARKER}},
        "mark_done": {"tile": "read-chapter", "note": MARKER, "link": f"https://example.com/{MARKER}"},
        "save_goals": {"revision": 1, "goals": {
            "long": {"text": MARKER + " long goal", "smart": ["S"], "target_date": None},
            "short-1": {"text": MARKER + " short goal", "smart": [], "target_date": None}}},
        "check_in": {"revision": 2, "progress": {"long": 2, "short-1": 1}, "helped": MARKER,
                     "obstacles": MARKER, "next_step": MARKER},
    }
    goals = usages["goal_reflection"]
    target = env.block(goals).view_context(env.block(goals).state())["date_max"]
    for goal in marked["save_goals"]["goals"].values():
        goal["target_date"] = target
    handlers = {"self_assessment": ["submit"], "choice_board": ["choose", "commit", "mark_done"],
                "goal_reflection": ["save_goals", "check_in", "refresh"], "mastery_gate": ["check_again"]}
    for name, names in handlers.items():
        for handler in names:
            payload = marked.get(handler) if name != "skill_check" else None
            status, data = call(env.block(usages[name], "student_1"), handler, payload or PAYLOADS[handler](name))
            assert status == 200, (name, handler, payload, data)
    stored = {key: value for key, value in env.kvs.db_dict.items()}
    own = [value for key, value in stored.items() if key.scope == Scope.user_state and key.user_id == "student_1"]
    assert sum(json.dumps(value).count(MARKER) for value in own) >= 8
    elsewhere = {str(key): value for key, value in stored.items() if key.scope != Scope.user_state}
    assert MARKER not in json.dumps(elsewhere)
    assert MARKER not in json.dumps(env.events)
