"""The learning plan with the real blocks on XBlock's TestRuntime: the learner's page, the class grid, exceptions."""
import csv
import datetime
import io

import pytest
from django.utils import translation
from webob import Request

from personalized_path.core.class_grid import GridQuery

from tests.builders import PlanCourse, goals_payload
from tests.harness import call, field_snapshot, ok


@pytest.fixture
def course(env):
    return PlanCourse(env)


def test_the_plan_finds_the_course_blocks_and_declares_them_required(course):
    plan = course.block("plan")
    kinds = [source.kind for source, _block in plan.source_blocks()]
    assert kinds == ["personalized_self_assessment", "personalized_skill_check", "personalized_mastery_gate",
                     "personalized_choice_board", "personalized_goal_reflection"]
    required = [str(block.scope_ids.usage_id) for block in plan.get_required_block_descriptors()]
    assert required == [str(course.assessment), str(course.check), str(course.gate), str(course.board),
                        str(course.goals)]


def test_the_author_may_narrow_the_list(course):
    plan = course.block("plan")
    plan.sources = [course.check]
    plan.save()
    assert [source.key for source, _block in course.block("plan").source_blocks()] == [str(course.check)]


def test_learner_page_shows_self_rating_beside_results_with_a_calibration_note(course):
    # Rates "could teach it" (4 of 4) but answers the fractions question wrongly twice.
    course.learner_path("student_1", 4, ["b", "b"])
    html = course.render("plan")
    assert "You rate yourself higher than your results so far." in html
    plan = course.block("plan").learner_plan()
    fractions = next(row for row in plan["skills"] if row["skill"] == "fractions")
    assert fractions["self_percent"] == 100.0 and fractions["measured"] == 0.0
    assert fractions["band"] == "beginning" and fractions["calibration"] == "higher"
    reasoning = next(row for row in plan["skills"] if row["skill"] == "reasoning")
    # No gate measures "reasoning": the default rule, where two right answers are not yet mastery (issue 21).
    assert reasoning["band"] == "beginning" and reasoning["needed"] == 4  # two right, 6 needed
    # The gate is locked; the next step is the check, because it opens the gate.
    assert plan["gates"][0]["unlocked"] is False
    assert plan["next_steps"][0]["source"] == str(course.check)
    assert "Strips video" in html and "Lesson" in html


def test_learner_rating_lower_than_results_and_trend(course):
    course.learner_path("student_1", 1, ["b", "a"])
    plan = course.block("plan").learner_plan()
    fractions = next(row for row in plan["skills"] if row["skill"] == "fractions")
    assert fractions["calibration"] == "lower" and fractions["measured_trend"] == "rising"
    assert plan["gates"][0]["unlocked"] is True and plan["gates"][0]["route"] == "practice"
    assert "You rate yourself lower than your results so far." in course.render("plan")


def test_self_rating_trend_needs_a_second_rating(course):
    course.learner_path("student_1", 1, ["a"])
    assert course.block("plan").learner_plan()["skills"][0]["self_trend"] is None
    ok(course.block("assessment"), "submit", {"ratings": {"s1": 3, "s2": 1}})
    skills = {row["skill"]: row for row in course.block("plan").learner_plan()["skills"]}
    assert skills["fractions"]["self_trend"] == "rising" and skills["reasoning"]["self_trend"] == "steady"
    assert "Since your first rating: rising" in course.render("plan")


def test_interests_are_validated_then_stored(course):
    plan = course.block("plan")
    before = field_snapshot(course.env, course.plan)
    for payload, field in (({"interests": ["nope"]}, "interests[0]"), ({"interests": "sport"}, "interests"),
                           ({"interests": ["sport"] * 6}, "interests"), ({"other": 1}, "other"), ({}, "interests")):
        status, data = call(plan, "save_interests", payload)
        assert status == 400 and data["field"] == field, data
    assert field_snapshot(course.env, course.plan) == before
    assert ok(plan, "save_interests", {"interests": ["music", "sport", "music"]})["interests"] == ["music", "sport"]
    assert course.block("plan").learner_interests() == [{"id": "music", "label": "Music"},
                                                        {"id": "sport", "label": "Sport and games"}]


def test_interests_feed_the_linked_choice_boards_suggestions(course):
    assert "one of your interests" not in course.render("board")
    ok(course.block("plan"), "save_interests", {"interests": ["cooking"]})
    html = course.render("board")
    assert "It is about Cooking, one of your interests." in html
    assert "one of your interests" not in course.render("board", "someone_else")


def test_mobile_data_is_configuration_only_and_user_state_holds_the_plan(course):
    course.learner_path("student_1", 3, ["a"])
    data = course.block("plan").student_view_data()
    assert data == course.block("plan", "someone_else").student_view_data()
    assert "skills" not in data and data["topics"][0]["id"] == "sport"
    status, state = call(course.block("plan"), "student_view_user_state", method="GET")
    assert status == 200 and state["plan"]["gates"][0]["unlocked"] is True and state["interests"] == []


def test_download_is_a_printable_document_of_the_learners_plan(course):
    course.learner_path("student_1", 4, ["b"])
    block = course.block("plan")
    response = block.runtime.handle(block, "download_plan", Request.blank("/"))
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    text = response.body.decode("utf-8")
    assert text.startswith("<!DOCTYPE html>") and "You rate yourself higher" in text and "@media print" in text
    assert '<html lang="en" dir="ltr">' in text
    with translation.override("ar"):  # an Arabic learner's plan reads right to left on paper too
        arabic = block.runtime.handle(block, "download_plan", Request.blank("/")).body.decode("utf-8")
    assert '<html lang="ar" dir="rtl">' in arabic


def learners(course, count=8):
    """Learners who rate high but fail (stuck), and learners who rate low but pass."""
    for number in range(count):
        user = f"learner_{number:02d}"
        if number % 2:
            course.learner_path(user, 1, ["a"], choose=number % 4 == 1)
        else:
            course.learner_path(user, 4, ["b"])


def test_class_grid_reads_many_learners_once_per_block(course):
    learners(course)
    reads = course.env.user_states.block_reads
    data = ok(course.block("plan", "staff_1", staff=True), "class_grid", {"filter": "stuck", "stuck_days": 0})
    assert course.env.user_states.block_reads - reads == 5  # one read per block, whatever the number of learners
    html = data["html"]
    assert "4 shown of 8" in html and "learner_00" in html and "learner_01" not in html
    over = ok(course.block("plan", "staff_1", staff=True), "class_grid", {"filter": "over"})["html"]
    assert "learner_00" in over and "learner_01" not in over
    no_choice = ok(course.block("plan", "staff_1", staff=True), "class_grid", {"filter": "no_choice"})["html"]
    assert "learner_03" in no_choice and "learner_01" not in no_choice
    page = ok(course.block("plan", "staff_1", staff=True), "class_grid",
              {"sort": "learner", "descending": True, "page": 2, "page_size": 3})["html"]
    assert "Page 2 of 3" in page and "learner_04" in page and "learner_07" not in page


def test_route_counts_per_gate(course):
    learners(course)
    context = course.block("plan", "staff_1", staff=True).staff_context(GridQuery())
    counts = context["route_counts"][0]
    assert counts["locked"] == 4 and {route["id"]: route["count"] for route in counts["routes"]} == {
        "practice": 0, "stretch": 4}


def test_csv_export_escapes_formulas_and_matches_the_filter(course):
    learners(course, 4)
    course.learner_path("=HYPERLINK(1)", 4, ["b"])
    block = course.block("plan", "staff_1", staff=True)
    response = block.runtime.handle(block, "export_csv", Request.blank("/?filter=stuck&stuck_days=0"))
    assert response.status_code == 200 and response.content_type == "text/csv"
    rows = list(csv.reader(io.StringIO(response.body.decode("utf-8"))))
    assert rows[0][:3] == ["learner", "fractions: mastery %", "fractions: band"]
    names = [row[0] for row in rows[1:]]
    assert names == ["'=HYPERLINK(1)", "learner_00", "learner_02"]
    lesson = rows[0].index("Lesson: status")
    assert {row[lesson] for row in rows[1:]} == {"locked"}


def test_staff_handlers_refuse_learners(course):
    learners(course, 2)
    block = course.block("plan")
    before = field_snapshot(course.env, course.gate, "learner_00")
    assert call(block, "class_grid", {})[0] == 403
    assert call(block, "apply_exception", {"learner": "learner_00", "gate": str(course.gate), "action": "unlock",
                                           "reason": "Because"})[0] == 403
    response = block.runtime.handle(block, "export_csv", Request.blank("/"))
    assert response.status_code == 403
    assert field_snapshot(course.env, course.gate, "learner_00") == before


@pytest.mark.parametrize("payload,field", [
    ({"gate": "G", "action": "unlock", "reason": "Missed the class"}, "learner"),
    ({"learner": "learner_00", "gate": "nope", "action": "unlock", "reason": "Missed the class"}, "gate"),
    ({"learner": "nobody", "gate": "G", "action": "unlock", "reason": "Missed the class"}, "learner"),
    ({"learner": "learner_00", "gate": "G", "action": "explode", "reason": "Missed the class"}, "action"),
    ({"learner": "learner_00", "gate": "G", "action": "route", "route": "nope", "reason": "Missed it"}, "route"),
    ({"learner": "learner_00", "gate": "G", "action": "unlock", "route": "stretch", "reason": "Missed"}, "route"),
    ({"learner": "learner_00", "gate": "G", "action": "unlock", "reason": "  "}, "reason"),
    ({"learner": "learner_00", "gate": "G", "action": "unlock"}, "reason"),
    ({"learner": "learner_00", "gate": "G", "action": "unlock", "reason": "x" * 501}, "reason"),
    ({"learner": "learner_00", "gate": "G", "action": "unlock", "reason": "ok then", "extra": 1}, "extra"),
    ({"learner": ["learner_00"], "gate": "G", "action": "unlock", "reason": "ok then"}, "learner"),
])
def test_bad_exceptions_are_refused_naming_the_field_and_change_nothing(course, payload, field):
    learners(course, 2)
    payload = {key: str(course.gate) if value == "G" else value for key, value in payload.items()}
    before = field_snapshot(course.env, course.gate, "learner_00")
    status, data = call(course.block("plan", "staff_1", staff=True), "apply_exception", payload)
    assert status == 400 and data["field"] == field, data
    assert field_snapshot(course.env, course.gate, "learner_00") == before
    assert not course.env.events_named("exception_applied")


def test_exceptions_unlock_route_relock_with_an_audit_trail(course):
    learners(course, 2)
    staff = course.block("plan", "staff_1", staff=True)
    assert "OPEN-CONTENT" not in course.render("gate", "learner_00")
    ok(staff, "apply_exception", {"learner": "learner_00", "gate": str(course.gate), "action": "unlock",
                                  "reason": "Missed the check while ill"})
    html = course.render("gate", "learner_00")
    assert "OPEN-CONTENT" in html and "Opened by your instructor on" in html and "Missed the check while ill" in html
    assert course.block("gate", "learner_00").is_unlocked() is True
    assert "OPEN-CONTENT" not in course.render("gate", "learner_02")  # only that learner
    ok(staff, "apply_exception", {"learner": "learner_00", "gate": str(course.gate), "action": "route",
                                  "route": "practice", "reason": "Needs more practice first"})
    assert course.block("gate", "learner_00").evaluate().route["id"] == "practice"
    ok(staff, "apply_exception", {"learner": "learner_01", "gate": str(course.gate), "action": "relock",
                                  "reason": "Shared answers"})
    html = course.render("gate", "learner_01")
    assert "OPEN-CONTENT" not in html and "Your instructor locked this for now" in html
    ok(staff, "apply_exception", {"learner": "learner_01", "gate": str(course.gate), "action": "clear",
                                  "reason": "Talked it through"})
    assert "OPEN-CONTENT" in course.render("gate", "learner_01")
    report = dict(course.block("gate", "staff_1", staff=True).generate_report_data(
        iter(course.env.user_states.iter_all_for_block(course.gate))))
    assert report["learner_00"]["route"] == "Practice" and report["learner_00"]["status"] == "unlocked"
    assert report["learner_00"]["exception"].startswith("route by staff_1 at ")
    trail = course.block("gate", "learner_00").instructor_exception["history"]
    assert [(entry["action"], entry["by"]) for entry in trail] == [("unlock", "staff_1"), ("route", "staff_1")]
    assert all(entry["at"] and entry["reason"] for entry in trail)
    events = course.env.events_named("learning_plan.exception_applied")
    assert [(event["data"]["learner"], event["data"]["action"]) for event in events] == [
        ("learner_00", "unlock"), ("learner_00", "route"), ("learner_01", "relock"), ("learner_01", "clear")]
    grid = ok(staff, "class_grid", {"filter": "exception"})["html"]
    assert "learner_00" in grid and "exception by staff_1" in grid and "learner_01" not in grid
    assert "Opened by your instructor" not in course.render("plan", "learner_02")
    assert "Your instructor moved you to this path" in course.render("plan", "learner_00")


def test_learners_own_gate_writes_keep_the_exception(course):
    learners(course, 1)
    ok(course.block("plan", "staff_1", staff=True), "apply_exception", {
        "learner": "learner_00", "gate": str(course.gate), "action": "unlock", "reason": "Missed the check"})
    ok(course.block("check", "learner_00"), "submit", {"answers": {"half": ["b"], "why": ["x"]}})
    ok(course.block("gate", "learner_00"), "check_again", {})
    assert course.block("gate", "learner_00").is_unlocked() is True


def test_an_overdue_check_in_names_its_day_as_the_reader_reads_dates(course, env):
    ok(course.block("goals"), "save_goals", goals_payload())
    due = course.block("plan").learner_plan()["goals"][0]["next_checkin_due"]
    env.clock.advance(40)  # past the next check-in, whatever the block's interval
    steps = [step["text"] for step in course.block("plan").learner_plan()["next_steps"]]
    overdue = next(text for text in steps if "it was due on" in text)
    day = datetime.date.fromisoformat(due)
    # Django's default DATE_FORMAT ("N j, Y") for English, with the reader's zone: never the stored ISO day.
    assert due not in overdue
    assert f"{day.day}, {day.year} (UTC)" in overdue
