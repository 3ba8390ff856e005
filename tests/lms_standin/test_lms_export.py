"""
LMS tier: course export and import (re-run) of the standard course, every reference field set to
a usage key: export writes them, import maps them into the new course, and the links still work.
"""
from lxml import etree
from opaque_keys.edx.locator import CourseLocator
from xblock.fields import Reference, ReferenceList

from tests.lms_standin.course import LOCKED, StandardCourse

RERUN = CourseLocator("PersonalizedX", "PP101", "2027_T1")
BLOCKS = ("assessment", "check", "recheck", "board", "goals", "gate", "plan")


def references(block):
    """Every Reference/ReferenceList field of a block (not children or parent) with its value."""
    return {name: field.read_from(block) for name, field in block.fields.items()
            if isinstance(field, (Reference, ReferenceList)) and name not in ("children", "parent")}


def test_every_reference_field_is_set_in_the_standard_course(lms_course):
    """Each reference field of each block type is set on at least one block of that type."""
    unset = {}
    for name in BLOCKS:
        block = lms_course.content(lms_course.at(name))
        for field_name, value in references(block).items():
            unset.setdefault((block.scope_ids.block_type, field_name), []).append(not value)
    assert not [key for key, missing in unset.items() if all(missing)]


def test_export_writes_references_as_usage_key_text(lms_course):
    olx = lms_course.export_olx()
    root = etree.fromstring(olx)
    gate = root.find(".//personalized_mastery_gate")
    assert gate.get("url_name") == "gate"
    assert gate.get("sources").split() == ['[', '"i4x://PersonalizedX/PP101/personalized_skill_check/check"', ']']
    assert gate.get("goal_reflection") == '"i4x://PersonalizedX/PP101/personalized_goal_reflection/goals"'
    board = root.find(".//personalized_choice_board")
    assert board.get("self_assessment") == '"i4x://PersonalizedX/PP101/personalized_self_assessment/assessment"'
    # Export mapped references in memory only; the course itself is unchanged.
    assert lms_course.content(lms_course.at("gate")).sources == [lms_course.at("check")]


def test_import_maps_every_reference_into_the_new_course(lms_course):
    rerun = StandardCourse(RERUN, empty=True).import_from(lms_course.export_olx())
    assert rerun.root == lms_course.root.map_into_course(RERUN)
    for name in BLOCKS:
        original = references(lms_course.content(lms_course.at(name)))
        imported = references(rerun.content(rerun.at(name)))
        assert set(imported) == set(original)
        for field_name, value in imported.items():
            for key in value if isinstance(value, list) else [value]:
                assert key.course_key == RERUN, f"{name}.{field_name}"
                assert rerun.content(key) is not None
    assert rerun.content(rerun.at("goals")).mastery_gate == rerun.at("gate")


def test_links_work_in_the_imported_course(lms_course):
    rerun = StandardCourse(RERUN, empty=True).import_from(lms_course.export_olx())
    lms_course.answer("a")  # learner state of the old course stays there
    rerun.answer("a")
    rerun.rate(2)
    rerun.finish_board()
    rerun.set_goals()
    assert LOCKED in rerun.render(rerun.at("unit4"))
    assert LOCKED not in lms_course.render(lms_course.at("unit4"))


def test_a_re_run_of_a_re_run_exports_and_imports_again(lms_course):
    rerun = StandardCourse(RERUN, empty=True).import_from(lms_course.export_olx())
    third = CourseLocator("PersonalizedX", "PP101", "2028_T1")
    again = StandardCourse(third, empty=True).import_from(rerun.export_olx())
    assert again.content(again.at("gate")).sources == [again.at("check")]
    assert again.content(again.at("check")).attempts_allowed == 3
