"""
LMS tier: the gate's rule on every path to its children (the stand-in models the platform's access
check on each learner ``get_block``, and the course_published the import ends with; see lms_standin.py).

A course arrives as OLX without any ``group_access``; the plugin's course_published sync gives each
child its gate's rule, and the partition answers from the gate's decision now, so a learner who meets
the rule, or is given an exception, reaches a child at once without opening the gate again.
"""
import json

import pytest
from openedx_filters.learning.filters import RenderXBlockStarted

from personalized_path import learner_state
from personalized_path.core import gate_access
from personalized_path.openedx.filters import RefuseLockedChildRender
from tests.lms_standin.standin import AccessDenied, StandInCourse

QUESTION = [{"id": "half", "prompt": "Which is one half?", "kind": "single", "skill": "fractions",
             "choices": [{"id": "a", "text": "2/4"}, {"id": "b", "text": "1/3"}], "correct": ["a"]}]
ROUTES = [{"id": "review", "label": "Review", "min": 0, "max": 90},
          {"id": "stretch", "label": "Stretch", "min": 90, "max": 100}]
SECRET = "GATED-LESSON-58aa"


def olx(course):
    check = course.key("personalized_skill_check", "check")
    gate = course.key("personalized_mastery_gate", "gate")
    questions = json.dumps(QUESTION)
    return f"""
<course url_name="run" display_name="Fractions">
  <chapter url_name="week1"><sequential url_name="lesson1">
    <vertical url_name="unit1">
      <personalized_skill_check url_name="check" display_name="Fractions check" questions='{questions}'/>
      <personalized_skill_check url_name="check2" display_name="Second check" questions='{questions}'/>
    </vertical>
    <vertical url_name="unit2">
      <personalized_mastery_gate url_name="gate" display_name="Fractions lesson" sources='["{check}"]'
          threshold="50" routes='{json.dumps(ROUTES)}' child_routes='{{"stretch_check": "stretch"}}'>
        <html_demo url_name="lesson"><p>{SECRET}</p></html_demo>
        <personalized_skill_check url_name="inner" display_name="Practice" questions='{questions}'/>
        <personalized_skill_check url_name="stretch_check" display_name="Stretch" questions='{questions}'/>
      </personalized_mastery_gate>
    </vertical>
    <vertical url_name="unit3">
      <personalized_learning_plan url_name="plan" sources='["{check}", "{gate}"]'/>
    </vertical>
  </sequential></chapter>
</course>"""


@pytest.fixture
def course():
    """An empty course filled from exported OLX, as an import does; learners have numeric ids, as in the LMS."""
    source = StandInCourse()
    source.load(olx(source))
    for usage in source.blocks:  # the OLX carries no access rule at all
        block = source.content(usage)
        block.fields["group_access"].delete_from(block)
        block.save()
    imported = StandInCourse().use_lms_user_ids().import_from(source.export_olx())
    imported.check = imported.key("personalized_skill_check", "check")
    imported.gate = imported.key("personalized_mastery_gate", "gate")
    imported.inner = imported.key("personalized_skill_check", "inner")
    imported.stretch = imported.key("personalized_skill_check", "stretch_check")
    imported.plan = imported.key("personalized_learning_plan", "plan")
    return imported


def answer(course, usage, choice, user="learner"):
    return course.call(usage, "submit", {"answers": {"half": [choice]}}, user=user)


def test_the_import_gives_every_gate_child_its_rule_and_a_second_pass_writes_nothing(course):
    partition = gate_access.partition_id("gate")
    access = {usage.block_id: gate_access.normalized(course.content(usage).group_access)
              for usage in course.content(course.gate).children}
    assert access == {"lesson": {partition: [1, 2, 3]}, "inner": {partition: [1, 2, 3]},
                      "stretch_check": {partition: [3]}}
    assert course.course_published() == 0


def test_a_child_moved_out_of_the_gate_loses_the_rule_on_the_next_publish(course):
    gate = course.content(course.gate)
    gate.children = [child for child in gate.children if child.block_id != "lesson"]
    gate.save()
    assert course.course_published() == 1
    lesson = course.content(course.key("html_demo", "lesson"))
    assert gate_access.normalized(lesson.group_access) == {}


def test_a_locked_learner_is_refused_the_child_and_its_handler_and_nothing_is_graded(course):
    assert answer(course, course.check, "b")[0] == 200  # a wrong answer: the gate stays locked
    with pytest.raises(AccessDenied):
        course.block(course.key("html_demo", "lesson"), "learner")
    before = len(course.events)
    assert answer(course, course.inner, "a") == (404, None)
    assert len(course.events) == before  # no grade, no event
    assert SECRET not in course.render(course.key("vertical", "unit2"))


def test_a_learner_who_meets_the_rule_reaches_the_child_at_once_without_opening_the_gate(course):
    assert answer(course, course.check, "a")[0] == 200  # 100%: meets the rule, on the stretch route
    assert not course.block(course.gate, "learner").learner_state  # the gate was never opened
    assert answer(course, course.inner, "a")[0] == 200
    assert answer(course, course.stretch, "a")[0] == 200
    assert "GATED-LESSON" in course.render(course.key("html_demo", "lesson"))


def test_routes_decide_which_children_the_partition_opens(course):
    """A learner on the review route (score below 90) reaches children for everyone, not the stretch one."""
    assert course.decided_group(course.gate, course.user_ids.id_of("learner")) is None
    assert answer(course, course.check, "a")[0] == 200
    gate = course.content(course.gate)
    gate.routes = [dict(ROUTES[0], max=100.0), dict(ROUTES[1], min=100.0, max=100.0)][:1] + [
        {"id": "stretch", "label": "Stretch", "min": 100, "max": 100}]
    gate.save()
    course.course_published()
    assert answer(course, course.inner, "a")[0] == 200
    assert answer(course, course.stretch, "a") == (404, None)


def staff_exception(course, action, learner="learner"):
    return course.call(course.plan, "apply_exception", {"learner": learner, "gate": str(course.gate),
                                                        "action": action, "reason": "Showed it in class"},
                       user="staff_1", staff=True)


def test_an_instructors_exception_opens_and_relocks_the_child_at_once(course):
    assert answer(course, course.check, "b")[0] == 200
    assert staff_exception(course, "unlock")[0] == 200
    assert answer(course, course.inner, "a")[0] == 200  # at once: the learner never opened the gate
    assert staff_exception(course, "relock")[0] == 200
    assert answer(course, course.inner, "a") == (404, None)


def test_re_evaluate_everyone_closes_the_children_at_once(course):
    assert answer(course, course.check, "a")[0] == 200
    course.render(course.key("vertical", "unit2"))  # the gate stores the unlock
    assert answer(course, course.inner, "a")[0] == 200
    other = course.key("personalized_skill_check", "check2")  # a stricter rule: a check she has not taken
    saved = {"values": {"sources": [{"source": str(other), "threshold": 50}]}, "reevaluate_everyone": True}
    assert course.call(course.gate, "submit_studio_edits", saved, user="staff_1", staff=True)[0] == 200
    assert answer(course, course.inner, "a") == (404, None)
    assert answer(course, other, "a")[0] == 200  # she meets the new rule: in again at once
    assert SECRET in course.render(course.key("html_demo", "lesson"))


def test_the_render_step_leaves_synced_children_to_the_platform(course):
    """A child with its rule: the platform refuses it before the step; the step decides nothing."""
    child = course.content(course.key("html_demo", "lesson"))
    result = RefuseLockedChildRender("filter", []).run_filter(context={"block": child}, student_view_context={})
    assert result["context"]["block"] is child


def test_the_render_step_refuses_an_unsynced_child_of_a_locked_gate(course, caplog):
    lesson = course.content(course.key("html_demo", "lesson"))
    lesson.fields["group_access"].delete_from(lesson)
    lesson.save()
    child = course.block(course.key("html_demo", "lesson"), "learner")
    with pytest.raises(RenderXBlockStarted.RenderCustomResponse):
        RefuseLockedChildRender("filter", []).run_filter(context={"block": child}, student_view_context={})
    assert "run `sync_mastery_gates --course" in caplog.text


# --- one learner identity for every lock; a refused request writes nothing ---------------------------

def test_staff_exception_and_the_learners_own_write_take_the_same_lock(course, monkeypatch):
    monkeypatch.setattr(learner_state, "LOCK_WAIT_SECONDS", 0.2)
    assert answer(course, course.check, "b")[0] == 200
    plan = course.block(course.plan, "staff_1", staff=True)
    held = plan.lock_for("learner", course.gate)  # the lock apply_exception takes for this learner's gate
    assert held.acquire()
    status, data = course.call(course.gate, "check_again", {})
    assert status == 409 and data["busy"] is True
    held.release()
    assert course.call(course.gate, "check_again", {})[0] == 200


def test_a_refused_request_writes_nothing(course):
    assert answer(course, course.check, "b")[0] == 200
    course.writes.clear()
    status, data = course.call(course.check, "submit", {"answers": {"nope": ["a"]}})
    assert status == 400 and data["field"]
    status, _data = course.call(course.gate, "check_again", {"unexpected": 1})
    assert status == 400
    assert course.writes == []


def test_the_plan_leaves_out_a_source_inside_a_locked_gate_and_binds_none(course, settings):
    """
    The learning plan reads its sources without binding them (the linked view) and shows a learner only
    those the platform's load check lets them see: a skill check inside the locked gate is left out of
    the plan (its skills, its answers) until the gate opens for them.
    """
    settings.PERSONALIZED_PATH_SHOWN_CHECK = "tests.lms_standin.standin.learner_may_see"
    plan = course.content(course.plan)
    plan.sources = [course.check, course.inner, course.gate]
    plan.save()

    def shown():
        block = course.block(course.plan, "learner")
        course.bindings.clear()
        keys = [source.key for source, _block in block.source_blocks()]
        assert block.runtime.render(block, "student_view").content
        assert not {course.check, course.inner, course.gate} & set(course.bindings)
        return keys

    assert answer(course, course.check, "b")[0] == 200  # locked
    assert shown() == [str(course.check), str(course.gate)]
    assert answer(course, course.check, "a")[0] == 200  # the gate opens
    assert shown() == [str(course.check), str(course.inner), str(course.gate)]
