"""Course staff tools: preview as a learner, broken-link warnings, class summaries, one learner's answers."""
import json
import re

import pytest
from xblock.fields import Scope

from tests.harness import call, field_snapshot, in_studio, unisolated

QUESTIONS = [
    {"id": "q1", "prompt": "Half of 4?", "kind": "single", "skill": "fractions",
     "choices": [{"id": "a", "text": "2"}, {"id": "b", "text": "3"}], "correct": ["a"]},
    {"id": "q2", "prompt": "Even numbers?", "kind": "multiple", "skill": "reasoning",
     "choices": [{"id": "a", "text": "4"}, {"id": "b", "text": "5"}, {"id": "c", "text": "6"}], "correct": ["a", "c"]},
]
ROUTES = [{"id": "review", "label": "Review", "min": 0, "max": 70},
          {"id": "stretch", "label": "Stretch", "min": 70, "max": 100}]
SELF_ASSESSMENT = """<personalized_self_assessment display_name="Fractions check-in"
  statements='[{"id": "compare", "text": "I can compare fractions", "skill": "fractions"},
               {"id": "explain", "text": "I can explain my reasoning", "skill": "reasoning"}]'
  scale='[{"label": "Not yet"}, {"label": "With help"}, {"label": "On my own"}, {"label": "Could teach"}]'/>"""


class KvsUserStateService:
    """The LMS's user_state service over the test key-value store: one learner's state of one block."""

    def __init__(self, env):
        self.env = env

    def get_state_as_dict(self, username_or_email, block_id):
        return {key.field_name: value for key, value in self.env.kvs.db_dict.items()
                if key.scope == Scope.user_state and key.user_id == username_or_email
                and str(key.block_scope_id) == str(block_id)}


def attrs(**values):
    return " ".join(f"{name}='{value if isinstance(value, str) else json.dumps(value)}'"
                    for name, value in values.items())


@pytest.fixture
def unit(env):
    check = env.load(f"<personalized_skill_check display_name='Warm-up' {attrs(questions=QUESTIONS)}/>")
    settings = attrs(sources=[check], threshold=50, routes=ROUTES)
    gate = env.load(f"<personalized_mastery_gate display_name='Lesson' {settings}>"
                    "<personalized_goal_reflection display_name='Review page' instructions='review text'/>"
                    "<personalized_goal_reflection display_name='Stretch page' instructions='stretch text'/>"
                    "</personalized_mastery_gate>")
    gate_block = env.block(gate, staff=True)
    children = [str(child) for child in gate_block.children]
    gate_block.child_routes = {children[0]: "review", children[1]: "stretch"}
    gate_block.save()
    return check, gate


def staff_html(env, usage):
    block = env.block(usage, "staff_ann", staff=True)
    return block.runtime.render(block, "student_view").content


def learner_html(env, usage, user="student_1"):
    block = env.block(usage, user)
    return block.runtime.render(block, "student_view").content


# --- preview as a learner ------------------------------------------------------------------------

def test_gate_preview_shows_the_route_and_children_a_learner_with_those_values_gets(env, unit):
    check, gate = unit
    before = field_snapshot(env, gate), field_snapshot(env, check), field_snapshot(env, gate, "staff_ann")
    key = f"score.{check}"
    status, data = call(env.block(gate, "staff_ann", staff=True), "preview", {"values": {key: 80}})
    assert status == 200 and "Your path: Stretch (your score: 80%)." in unisolated(data["html"])
    assert "Stretch page" in data["html"] and "Review page" not in data["html"]
    assert "stretch text" not in data["html"]  # names only: no child is rendered
    status, data = call(env.block(gate, "staff_ann", staff=True), "preview", {"values": {key: 60}})
    html = unisolated(data["html"])
    assert "Your path: Review" in html and "Review page" in html and "Stretch page" not in html
    status, data = call(env.block(gate, "staff_ann", staff=True), "preview", {"values": {key: 20}})
    assert "Locked for now" in data["html"] and "20%" in data["html"] and "review text" not in data["html"]
    status, data = call(env.block(gate, "staff_ann", staff=True), "preview", {"values": {key: None}})
    assert "Not attempted yet" in data["html"]
    assert 'id="preview-' in data["html"] and "Course staff" not in data["html"]  # seen as a learner
    assert (field_snapshot(env, gate), field_snapshot(env, check), field_snapshot(env, gate, "staff_ann")) == before
    assert not env.events_named(".unlocked") and not env.events_named(".checked")


def test_preview_is_for_staff_only_and_refuses_bad_values(env, unit):
    check, gate = unit
    status, data = call(env.block(gate), "preview", {"values": {}})
    assert status == 403
    staff = env.block(gate, "staff_ann", staff=True)
    for values, field in [({f"score.{check}": 120}, f"score.{check}"), ({f"score.{check}": "80"}, f"score.{check}"),
                          ({"score.elsewhere": 1}, "score.elsewhere")]:
        status, data = call(staff, "preview", {"values": values})
        assert status == 400 and data["field"] == field, data
    assert call(staff, "preview", {"values": {}, "extra": 1})[0] == 400


def test_the_staff_view_carries_the_preview_form_and_learners_never_see_it(env, unit):
    check, gate = unit
    html = staff_html(env, gate)
    assert "Preview as a learner" in html and f'data-field="score.{check}"' in html
    assert "Preview as a learner" not in learner_html(env, gate)
    assert "Course staff tools" not in learner_html(env, check)


def test_self_assessment_skill_check_and_board_previews_use_the_learner_views(env):
    sa = env.load(SELF_ASSESSMENT)
    staff = env.block(sa, "staff_ann", staff=True)
    status, data = call(staff, "preview", {"values": {"ratings.compare": "1", "ratings.explain": "3"}})
    assert status == 200 and "Your profile" in data["html"] and "On my own" in data["html"]
    # The preview shares Studio's page with the block itself: no id or radio group of one is the other's.
    names = re.compile(r'(?:id|name)="([^"]+)"')
    page_names = set(names.findall(env.block(sa, "staff_ann", staff=True).student_view({}).content))
    preview_names = set(names.findall(data["html"]))
    assert len(preview_names) > 10 and not page_names & preview_names
    status, data = call(staff, "preview", {"values": {"ratings.compare": "1"}})
    assert status == 400 and data["field"] == "ratings.explain"
    assert env.block(sa, "staff_ann").learner_state == {}

    check = env.load(f"<personalized_skill_check {attrs(questions=QUESTIONS)}/>")
    status, data = call(env.block(check, "staff_ann", staff=True), "preview", {"values": {"correct.q1": True}})
    assert status == 200 and "1 of 2 correct (50%)" in data["html"]

    tiles = [{"id": f"t{index}", "title": f"Tile {index}", "tier": "may"} for index in range(3)]
    board = env.load(f"<personalized_choice_board {attrs(tiles=tiles)} rule='k_of_n' choose_count='2'/>")
    staff = env.block(board, "staff_ann", staff=True)
    status, data = call(staff, "preview", {"values": {"tile.t0": "done", "tile.t1": "done"}})
    assert status == 200 and "Board complete" in data["html"]
    status, data = call(staff, "preview", {"values": {"tile.t0": "done"}})
    assert status == 400 and data["field"] == "committed"
    assert env.block(board, "staff_ann").learner_state == {}


# --- broken links --------------------------------------------------------------------------------

def test_staff_see_every_broken_link_with_what_to_fix_and_learners_keep_their_notice(env, unit):
    check, _gate = unit
    sa = env.load(SELF_ASSESSMENT)
    gate = env.load(f"<personalized_mastery_gate {attrs(sources=[check, 'gone.block.d9.u9'], choice_board=sa)}/>")
    html = staff_html(env, gate)
    assert "Broken links to other blocks" in html
    assert "Score sources: the block gone.block.d9.u9 is missing from the course or was deleted." in html
    assert f"Choice board to complete (optional): the block {sa} is not the kind of block" in html
    assert "Broken links" not in learner_html(env, gate)
    assert "counts as not met" in learner_html(env, gate)

    board = env.load(f"<personalized_choice_board self_assessment='{check}'/>")
    assert f"Linked self-assessment: the block {check} is not the kind of block" in staff_html(env, board)
    goals = env.load("<personalized_goal_reflection skill_check='nowhere.block.d1.u1'/>")
    assert "Linked skill check: the block nowhere.block.d1.u1 is missing" in staff_html(env, goals)
    assert "Broken links" not in learner_html(env, goals)


# --- class summaries and one learner's answers -----------------------------------------------------

def test_self_assessment_summary_counts_learners_per_level(env):
    sa = env.load(SELF_ASSESSMENT)
    for user, ratings in (("ana", {"compare": 1, "explain": 3}), ("ben", {"compare": 1, "explain": 4})):
        assert call(env.block(sa, user), "submit", {"ratings": ratings})[0] == 200
    assert call(env.block(sa, "ana"), "submit", {"ratings": {"compare": 2, "explain": 3}})[0] == 200
    html = staff_html(env, sa)
    assert "Counts from 2 learners." in html and "Answered by" in html
    row = ('<th scope="row" dir="auto">I can compare fractions</th>'
           + "".join(f"<td>{count}</td>" for count in (1, 1, 0, 0, 0, 2)))
    assert row in html.replace("\n", "")


def test_skill_check_summary_counts_answers_and_right_answers_per_question(env):
    check = env.load(f"<personalized_skill_check {attrs(questions=QUESTIONS)}/>")
    call(env.block(check, "ana"), "submit", {"answers": {"q1": ["a"], "q2": ["a"]}})
    call(env.block(check, "ben"), "submit", {"answers": {"q1": ["b"], "q2": ["a", "c"]}})
    call(env.block(check, "ana"), "submit", {"answers": {"q1": ["a"], "q2": ["a", "c"]}})  # ana's retry counts once
    summary = env.block(check, "staff_ann", staff=True).class_summary()
    assert summary["learners"] == 2
    assert [row["cells"] for row in summary["rows"]] == [[2, 1, "50%"], [2, 2, "100%"]]
    assert "Share right" in staff_html(env, check)


@pytest.mark.parametrize("kind", ["self_assessment", "skill_check"])
def test_staff_look_up_one_learners_answers_by_username(env, kind):
    if kind == "self_assessment":
        usage = env.load(SELF_ASSESSMENT)
        call(env.block(usage, "ana"), "submit", {"ratings": {"compare": 2, "explain": 3},
                                                 "evidence": {"compare": "I <b>did</b> it"}})
        expected = ["With help", "Evidence: I &lt;b&gt;did&lt;/b&gt; it", "On my own"]
    else:
        usage = env.load(f"<personalized_skill_check {attrs(questions=QUESTIONS)}/>")
        call(env.block(usage, "ana"), "submit", {"answers": {"q1": ["b"], "q2": ["a", "c"]}})
        expected = ["3 (not right)", "4, 6 (right)", "1 of 2 (50%)"]
    staff = env.block(usage, "staff_ann", staff=True)
    staff.runtime._services["user_state"] = KvsUserStateService(env)  # pylint: disable=protected-access
    assert "Look up one learner" in staff_html(env, usage)
    status, data = call(staff, "learner_answers", {"username": "ana"})
    assert status == 200 and all(text in data["html"] for text in expected), data["html"]
    status, data = call(staff, "learner_answers", {"username": "nobody"})
    assert status == 200 and "No answers from “nobody” here yet." in unisolated(data["html"])
    status, data = call(staff, "learner_answers", {"username": ""})
    assert status == 400 and data["field"] == "username"
    learner = env.block(usage, "ben")
    learner.runtime._services["user_state"] = KvsUserStateService(env)  # pylint: disable=protected-access
    assert call(learner, "learner_answers", {"username": "ana"})[0] == 403


# --- in Studio's preview of the unit ---------------------------------------------------------------

def test_authors_get_the_preview_and_link_warnings_in_studio_but_no_learner_data(env, unit):
    """Studio's user service reports nobody as staff; its permission service knows the course's authors."""
    check, gate = unit
    author = in_studio(env.block(gate, "author"))
    html = author.runtime.render(author, "student_view").content
    assert "Preview as a learner" in html
    status, data = call(author, "preview", {"values": {f"score.{check}": 80}})
    assert status == 200 and "Stretch page" in data["html"] and "Review page" not in data["html"]
    assessment = env.load(SELF_ASSESSMENT)
    author_of_assessment = in_studio(env.block(assessment, "author"))
    studio_html = author_of_assessment.runtime.render(author_of_assessment, "student_view").content
    assert "Preview as a learner" in studio_html and "Look up one learner" not in studio_html
    outsider = in_studio(env.block(gate, "someone"), can_write=False)
    assert "Preview as a learner" not in outsider.runtime.render(outsider, "student_view").content
    assert call(outsider, "preview", {"values": {f"score.{check}": 80}})[0] == 403
