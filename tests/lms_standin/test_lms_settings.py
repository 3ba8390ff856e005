"""
LMS tier: settings the platform passes down the course tree (InheritanceMixin) never reach our
blocks' own settings. The standard course sets them on its parents as course teams do.
"""
import pytest

from tests.lms_standin.course import StandardCourse
from tests.lms_standin.standin import INHERITABLE, PlatformMixin, StandInCourse

BLOCKS = ("assessment", "check", "board", "goals", "gate", "plan")


def own_fields(block):
    """The fields a block's own class defines (the platform's mixed-in ones left out)."""
    return {name: field for name, field in block.fields.items()
            if field is not PlatformMixin.fields.get(name) and field.scope.name in ("settings", "content")}


@pytest.mark.parametrize("name", BLOCKS)
def test_no_field_of_ours_has_an_inheritable_name(lms_course, name):
    block = lms_course.content(lms_course.at(name))
    assert not set(own_fields(block)) & INHERITABLE


@pytest.mark.parametrize("name", BLOCKS)
def test_parents_settings_change_none_of_our_values(lms_course, name):
    """Every setting of ours reads the same under the platform's parent settings as without them."""
    bare = StandardCourse(platform_settings=False)
    ours, theirs = lms_course.content(lms_course.at(name)), bare.content(bare.at(name))
    for field_name, field in own_fields(ours).items():
        if field_name in ("parent", "children"):
            continue
        assert field.read_json(ours) == field.read_json(theirs), field_name
    # The platform's own settings do flow down to the block, as the LMS expects.
    assert ours.showanswer == "never" and ours.max_attempts == 1 and ours.show_reset_button is True


def test_skill_check_keeps_its_own_attempts_under_a_course_wide_maximum(lms_course):
    """Course "Maximum Attempts" is 1; the skill check's own limit (default 3) applies."""
    check = lms_course.block(lms_course.at("check"))
    assert check.max_attempts == 1 and check.attempts_left() == 3
    lms_course.answer("b")
    second = lms_course.answer("b")
    assert second["attempts_left"] == 1
    assert lms_course.answer("a")["attempts_left"] == 0


def test_goal_reflection_in_a_graded_subsection_stays_ungraded(lms_course):
    """The subsection is graded; the goal reflection only grades check-ins if its author says so."""
    goals = lms_course.block(lms_course.at("goals"))
    assert goals.graded is True and goals.has_score is False
    revision = lms_course.set_goals()["revision"]
    lms_course.check_in(revision)
    assert not [event for event in lms_course.events if event["name"] == "grade"]


def test_grading_check_ins_is_the_authors_choice(lms_course):
    content = lms_course.content(lms_course.at("goals"))
    content.grade_checkins = True
    content.save()
    revision = lms_course.set_goals()["revision"]
    lms_course.check_in(revision)
    grades = [event for event in lms_course.events if event["name"] == "grade"]
    assert lms_course.block(lms_course.at("goals")).has_score and grades[0]["data"]["value"] == 1.0


def legacy_course(attributes):
    course = StandInCourse()
    course.load(f"""<course url_name="{course.course_key.run}" max_attempts="1" graded="true">
      <personalized_skill_check url_name="check" {attributes.get("check", "")}/>
      <personalized_goal_reflection url_name="goals" weight="1" {attributes.get("goals", "")}/></course>""")
    return course, course.key("personalized_skill_check", "check"), course.key("personalized_goal_reflection", "goals")


def test_olx_written_before_the_rename_keeps_the_authors_values():
    course, check, goals = legacy_course({"check": 'max_attempts="5"', "goals": 'graded="true"'})
    check_block, goals_block = course.block(check), course.block(goals)
    assert check_block.attempts_allowed == 5 and check_block.attempts_left() == 5
    assert goals_block.grade_checkins is True and goals_block.has_score
    # The old attribute set our setting, not the platform's field of that name.
    assert not check_block.fields["max_attempts"].is_set_on(check_block)


def test_values_stored_before_the_rename_keep_counting():
    """A course saved by an earlier version keeps the author's value under the old (now platform) name."""
    course, check, goals = legacy_course({})
    for usage, name, value in ((check, "max_attempts", 2), (goals, "graded", True)):
        content = course.content(usage)
        setattr(content, name, value)
        content.save()
    check_block = course.block(check, "staff", staff=True)
    assert check_block.attempts_left() == 2 and course.block(goals).has_score
    assert check_block.editor_value("attempts_allowed") == 2  # what the Studio editor shows
    # Once the author sets the new setting, it wins.
    content = course.content(check)
    content.attempts_allowed = 4
    content.save()
    assert course.block(check).attempts_left() == 4


def test_inherited_values_are_not_taken_for_old_ones():
    course, check, goals = legacy_course({})
    assert course.block(check).attempts_left() == 3 and not course.block(goals).has_score
