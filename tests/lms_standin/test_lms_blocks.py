"""
LMS tier: each block renders, answers its handlers, shows its Studio editor and gives its mobile
data with real usage keys in its reference fields (see tests/README.md).
"""
import json

import pytest

BLOCKS = {  # block: (unit, text its render shows, a handler call that must succeed)
    "assessment": ("unit1", "I can add fractions", ("submit", {"ratings": {"fractions": 2}})),
    "check": ("unit1", "Which is one half?", ("submit", {"answers": {"half": ["a"]}})),
    "recheck": ("unit2", "Fractions re-check", ("start_session", {})),
    "board": ("unit2", "Read the chapter", ("choose", {"tiles": ["read"]})),
    "goals": ("unit3", "Your goals", ("refresh", {})),
    "gate": ("unit4", "Fractions lesson", ("check_again", {})),
}


@pytest.mark.parametrize("name", sorted(BLOCKS))
def test_block_renders_in_its_unit_and_answers_a_handler(lms_course, name):
    unit, text, (handler, payload) = BLOCKS[name]
    html = lms_course.render(lms_course.at(unit))
    assert f'data-usage-id="{lms_course.at(name)}"' in html and text in html
    if name == "recheck":
        lms_course.answer("a")  # something to re-check
    status, answer = lms_course.call(lms_course.at(name), handler, payload)
    assert status == 200, answer
    status, state = lms_course.call(lms_course.at(name), "student_view_user_state", method="GET")
    assert status == 200 and isinstance(state, dict)


@pytest.mark.parametrize("name", sorted(BLOCKS))
def test_mobile_data_and_studio_editor_take_usage_keys(lms_course, name):
    block = lms_course.block(lms_course.at(name), "staff", staff=True)
    json.dumps(block.student_view_data())
    editor = block.runtime.render(block, "studio_view").content
    for field_name in block.links:
        value = getattr(block, field_name)
        for key in value if isinstance(value, list) else [value]:
            assert str(key) in editor, field_name
    assert not block.validate().messages


def test_studio_saves_a_reference_typed_as_usage_key_text(lms_course):
    staff = lms_course.block(lms_course.at("board"), "staff", staff=True)
    text = str(lms_course.at("assessment"))
    status, answer = lms_course.call(lms_course.at("board"), "submit_studio_edits",
                                     {"values": {"self_assessment": text}, "defaults": []}, user="staff", staff=True)
    assert status == 200, answer
    assert str(lms_course.content(lms_course.at("board")).self_assessment) == text
    assert not staff.validate().messages
