"""
LMS tier: what retirement erases (core.privacy.erase_free_text, which the plugin's receiver of the
platform's retirement signals applies to each of the learner's StudentModule rows of our blocks).
The states come from the learner's own requests through every block of the standard course.
"""
import json

from xblock.fields import Scope

from personalized_path.core import privacy

TEXTS = ("I-SHOWED-IT-7f", "Add any two fractions", "Practise ten sums", "The worked examples", "Too little time",
         "Do the practice set", "watched it", "Showed it in class 9e")


def stored_rows(course):
    """``{(user id, usage key): {field: value}}``: the learner-state rows, as StudentModule holds them."""
    rows = {}
    for key, value in course.kvs.db_dict.items():
        if key.scope == Scope.user_state:
            rows.setdefault((key.user_id, key.block_scope_id), {})[key.field_name] = value
    return rows


def test_retirement_erases_every_text_the_learner_wrote_and_keeps_scores_and_structure(lms_course):
    course = lms_course.use_lms_user_ids()
    course.ok("assessment", "submit", {"ratings": {"fractions": 2}, "evidence": {"fractions": TEXTS[0]}})
    course.answer("a")
    course.finish_board()
    revision = course.set_goals()["revision"]
    course.check_in(revision)
    status, _data = course.call(course.at("plan"), "apply_exception", {
        "learner": "learner", "gate": str(course.at("gate")), "action": "unlock", "reason": TEXTS[-1]},
        user="staff_1", staff=True)
    assert status == 200
    rows = stored_rows(course)
    assert all(text in json.dumps(list(rows.values())) for text in TEXTS)

    erased = {key: privacy.erase_free_text(key[1].block_type, state) for key, state in rows.items()}
    assert not any(text in json.dumps(list(erased.values())) for text in TEXTS)
    check = erased[(course.user_ids.id_of("learner"), course.at("check"))]
    assert check == rows[(course.user_ids.id_of("learner"), course.at("check"))]  # answers and score kept
    goals = erased[(course.user_ids.id_of("learner"), course.at("goals"))]["learner_state"]
    assert goals["saves"] == 1 and goals["checkins"] == 1 and len(goals["timeline"]) == 2
    assert all(goal["target"] for goal in goals["goals"].values())  # dates stay, texts go
    gate = erased[(course.user_ids.id_of("learner"), course.at("gate"))]["instructor_exception"]
    assert gate["current"]["action"] == "unlock" and gate["current"]["by"] == "staff_1"
    assessment = erased[(course.user_ids.id_of("learner"), course.at("assessment"))]["learner_state"]
    assert assessment["history"][-1]["ratings"] == {"fractions": 2}
    assert all(privacy.erase_free_text(key[1].block_type, state) == state for key, state in erased.items())
