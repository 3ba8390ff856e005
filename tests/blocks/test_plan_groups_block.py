"""Groups on the learning plan (issue 27): propose, edit, save, publish, the learner's own group, the Teams CSV."""
import csv
import io
import json

import pytest
from webob import Request

from tests.builders import PlanCourse
from tests.harness import call, ok, render


@pytest.fixture
def course(env):
    course = PlanCourse(env)
    for number in range(8):
        user = f"learner_{number:02d}"
        # Half pass the check (high mastery of fractions), half fail it.
        course.learner_path(user, 2, ["a"] if number % 2 else ["b"], choose=False)
    return course


def staff(course):
    return course.block("plan", "staff_1", staff=True)


def propose(course, **payload):
    return ok(staff(course), "propose_groups", dict({"kind": "mixed", "size": 4}, **payload))


def saved_payload(proposal, revision=0):
    return {"kind": proposal["kind"], "skills": proposal["skills"], "groups": proposal["groups"], "revision": revision}


def test_mixed_groups_span_the_range_and_show_levels_to_staff(course):
    data = propose(course, skills=["fractions"])
    groups = data["proposal"]["groups"]
    assert [len(group["members"]) for group in groups] == [4, 4]
    for group in groups:
        passed = [name for name in group["members"] if int(name[-2:]) % 2]
        assert len(passed) == 2  # each group has two who passed and two who did not
    assert "Proposed groups (not saved): Mixed ability" in data["html"]
    assert "points apart" in data["html"] and 'class="pp-group-move"' in data["html"]
    assert course.block("plan", "staff_1", staff=True).saved_grouping == {}  # a proposal is not saved
    assert data == propose(course, skills=["fractions"])  # deterministic


def test_interest_groups_use_the_learners_picked_topics(course):
    for number in range(8):
        topic = "cooking" if number < 4 else "music"
        ok(course.block("plan", f"learner_{number:02d}"), "save_interests", {"interests": [topic]})
    groups = propose(course, kind="interest")["proposal"]["groups"]
    assert sorted((group["topic"], sorted(group["members"])) for group in groups) == [
        ("cooking", [f"learner_{number:02d}" for number in range(4)]),
        ("music", [f"learner_{number:02d}" for number in range(4, 8)])]


def test_save_keeps_who_and_when_and_refuses_a_stale_save(course):
    proposal = propose(course)["proposal"]
    moved = proposal["groups"][0]["members"].pop()
    proposal["groups"][1]["members"].append(moved)
    proposal["groups"][1]["name"] = "Owls"
    data = ok(staff(course), "save_groups", saved_payload(proposal))
    saved = course.block("plan").saved_grouping
    assert saved["by"] == "staff_1" and saved["at"] and saved["revision"] == 1 == data["revision"]
    assert moved in saved["groups"][1]["members"] and saved["groups"][1]["name"] == "Owls"
    assert "Saved by staff_1" in data["html"] and "Owls" in data["html"]
    status, answer = call(staff(course), "save_groups", saved_payload(proposal, revision=0))
    assert status == 409 and "Someone else saved" in answer["error"]
    # The staff page offers the saved grouping without reading the class; its editor comes when asked.
    page = render(course.env, course.plan, "staff_1", staff=True)
    assert "Show the saved grouping (2 groups)" in page and "Saved groups: Mixed ability" not in page
    shown = ok(staff(course), "saved_groups", {})["html"]
    assert "Saved groups: Mixed ability" in shown and "Owls" in shown and 'class="pp-group-move"' in shown


def test_the_saved_grouping_is_for_staff_and_says_when_there_is_none(course):
    status, answer = call(staff(course), "saved_groups", {})
    assert status == 404 and answer["error"] == "No groups are saved yet."
    assert "Show the saved grouping" not in render(course.env, course.plan, "staff_1", staff=True)
    ok(staff(course), "save_groups", saved_payload(propose(course)["proposal"]))
    assert call(course.block("plan", "learner_00"), "saved_groups", {})[0] == 403
    assert call(staff(course), "saved_groups", {"x": 1})[0] == 400


def test_a_colleagues_save_in_another_request_is_never_overwritten_or_published_over(course):
    # Both requests loaded the plan before either saved, as two workers serving two staff members do.
    proposal = propose(course)["proposal"]
    first, second, publisher = staff(course), staff(course), staff(course)
    assert first.saved_grouping == second.saved_grouping == publisher.saved_grouping == {}
    ok(first, "save_groups", saved_payload(proposal))
    status, answer = call(second, "save_groups", saved_payload(proposal))
    assert status == 409 and "Someone else saved" in answer["error"]
    assert course.block("plan").saved_grouping["revision"] == 1
    proposal["groups"][0]["name"] = "Herons"
    ok(staff(course), "save_groups", saved_payload(proposal, revision=1))
    loaded_before = staff(course)
    assert loaded_before.saved_grouping["revision"] == 2
    ok(staff(course), "save_groups", saved_payload(proposal, revision=2))
    status, answer = call(loaded_before, "publish_groups", {"publish": True})
    assert status == 409 and "Someone else saved" in answer["error"]
    assert course.block("plan").published_grouping == {}


@pytest.mark.parametrize("change, field", [
    (lambda groups: groups[0]["members"].append("stranger"), "groups[0].members[2]"),
    (lambda groups: groups[1]["members"].append(groups[0]["members"][0]), "groups[1].members[4]"),
    (lambda groups: groups[0].update(name="=HYPERLINK(1)"), "groups[0].name"),
    (lambda groups: groups[0].update(name="x" * 61), "groups[0].name"),
    (lambda groups: groups[0].update(topic="knitting"), "groups[0].topic"),
])
def test_bad_saves_get_a_sentence_and_keep_nothing(course, change, field):
    proposal = propose(course)["proposal"]
    if field == "groups[0].members[2]":
        proposal["groups"][0]["members"] = proposal["groups"][0]["members"][:2]
    change(proposal["groups"])
    status, data = call(staff(course), "save_groups", saved_payload(proposal))
    assert status == 400 and data["field"] == field and data["error"], data
    assert course.block("plan").saved_grouping == {}


@pytest.mark.parametrize("payload, field", [
    ({"kind": "mixed", "skills": ["knitting"], "size": 2}, "skills[0]"),
    ({"kind": "mixed", "size": 0}, "size"),
    ({"kind": "mixed", "size": 9}, "size"),
    ({"kind": "mixed", "size": 2, "locked": [{"members": ["gone_away"]}]}, "locked[0].members[0]"),
])
def test_bad_requests_get_a_sentence(course, payload, field):
    status, data = call(staff(course), "propose_groups", payload)
    assert status == 400 and data["field"] == field and data["error"].endswith("."), data


def test_locked_groups_stay_when_proposing_again(course):
    proposal = propose(course, size=2)["proposal"]
    kept = dict(proposal["groups"][2], locked=True, name="Kept")
    again = propose(course, size=3, locked=[kept])["proposal"]
    assert again["groups"][0] == kept
    assert [len(group["members"]) for group in again["groups"][1:]] == [3, 3]


def test_learners_see_only_their_own_group_once_published_and_never_levels(course):
    proposal = propose(course)["proposal"]
    proposal["groups"][0]["name"] = "Owls"
    ok(staff(course), "save_groups", saved_payload(proposal))
    mine, other = list(proposal["groups"][0]["members"]), list(proposal["groups"][1]["members"])
    assert "Your group" not in render(course.env, course.plan, mine[0])  # saved, not shown yet
    ok(staff(course), "publish_groups", {"publish": True})
    html = render(course.env, course.plan, mine[0])
    assert "Your group" in html and "Owls" in html and all(name in html for name in mine)
    assert not any(name in html for name in other) and "mean" not in html
    assert "Your group works together on: fractions, reasoning." in html
    mobile = call(course.block("plan", mine[0]), "student_view_user_state", method="GET")[1]["group"]
    assert mobile["name"] == "Owls" and mobile["members"] == sorted(mine, key=str.lower)
    assert "mean" not in json.dumps(mobile) and not set(other) & set(mobile["members"])
    # A later save is not shown until it is published again.
    proposal["groups"][1]["members"].append(proposal["groups"][0]["members"].pop(0))
    saved = ok(staff(course), "save_groups", saved_payload(proposal, revision=1))["html"]
    assert "Learners still see the groups shown on" in saved and 'data-publish="true"' in saved
    assert "Owls" in render(course.env, course.plan, mine[0])
    ok(staff(course), "publish_groups", {"publish": True})
    assert "Owls" in render(course.env, course.plan, mine[1])
    assert "Owls" not in render(course.env, course.plan, mine[0])  # moved to the other group
    ok(staff(course), "publish_groups", {"publish": False})
    assert "Your group" not in render(course.env, course.plan, mine[0])
    assert call(course.block("plan", mine[0]), "student_view_user_state", method="GET")[1]["group"] is None


def test_publishing_needs_saved_groups_and_staff(course):
    status, data = call(staff(course), "publish_groups", {"publish": True})
    assert status == 400 and data["field"] == "publish"
    for handler, payload in (("propose_groups", {"kind": "mixed", "size": 4}), ("publish_groups", {"publish": True}),
                             ("save_groups", {"kind": "mixed", "groups": []})):
        assert call(course.block("plan", "learner_00"), handler, payload)[0] == 403
    block = course.block("plan", "learner_00")
    assert block.runtime.handle(block, "groups_csv", Request.blank("/?team_set=projects")).status_code == 403


def test_teams_csv_has_the_columns_the_platform_reads(course):
    proposal = propose(course)["proposal"]
    proposal["groups"][0]["name"] = "Owls, the first"
    ok(staff(course), "save_groups", saved_payload(proposal))
    block = staff(course)
    response = block.runtime.handle(block, "groups_csv", Request.blank("/?team_set=projects"))
    assert response.status_code == 200 and response.content_type == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.body.decode("utf-8"))))
    assert list(rows[0]) == ["username", "external_user_id", "mode", "projects"]
    teams = {row["username"]: row["projects"] for row in rows}
    assert len(teams) == 8 and {row["mode"] for row in rows} == {"audit"}  # no enrollments service here
    assert {teams[name] for name in proposal["groups"][0]["members"]} == {"Owls, the first"}
    assert {teams[name] for name in proposal["groups"][1]["members"]} == {"Group 2"}
    bad = block.runtime.handle(block, "groups_csv", Request.blank("/?team_set=no%20spaces"))
    assert bad.status_code == 400 and bad.json["field"] == "team_set"


class Enrollments:
    """The LMS's ``enrollments`` service: the course's active enrollments, each with a user and a mode."""

    class Enrollment:
        def __init__(self, username, mode):
            self.user = type("User", (), {"username": username})()
            self.mode = mode

    def __init__(self, modes):
        self.modes = modes

    def get_active_enrollments_by_course(self, course_id):  # pylint: disable=unused-argument
        return [self.Enrollment(name, mode) for name, mode in self.modes.items()]


def test_teams_csv_takes_each_learners_enrollment_mode_and_refuses_one_who_left(course):
    proposal = propose(course)["proposal"]
    ok(staff(course), "save_groups", saved_payload(proposal))
    modes = {f"learner_{number:02d}": "verified" if number % 2 else "audit" for number in range(8)}
    block = staff(course)
    block.runtime._services["enrollments"] = Enrollments(modes)  # pylint: disable=protected-access
    rows = list(csv.DictReader(io.StringIO(block.runtime.handle(
        block, "groups_csv", Request.blank("/?team_set=projects")).body.decode("utf-8"))))
    assert {row["username"]: row["mode"] for row in rows} == modes
    del modes["learner_03"]
    left = block.runtime.handle(block, "groups_csv", Request.blank("/?team_set=projects"))
    assert left.status_code == 400 and "learner_03 has left the course" in left.json["error"]
    status, data = call(block, "propose_groups", {"kind": "mixed", "size": 2,
                                                  "locked": [{"members": ["learner_03"]}]})
    assert status == 400 and "learner_03 is not a learner of this class" in data["error"]


class RecordingImporter:
    """Stands in for the platform's Teams import (``openedx.teams``): what it was given, what it answers."""

    runs = []
    answer = []
    protected_modes = ("masters",)

    def run(self, course_key, csv_text):
        RecordingImporter.runs.append(csv_text)
        return list(RecordingImporter.answer)


def test_teams_are_made_directly_where_the_lms_has_teams_refusing_mixed_tracks(course, settings):
    proposal = propose(course)["proposal"]
    ok(staff(course), "save_groups", saved_payload(proposal))
    block = staff(course)
    status, data = call(block, "create_teams", {"team_set": "projects"})
    assert status == 400 and data["field"] == "team_set" and "instructor dashboard" in data["error"]  # no Teams here
    assert 'class="pp-groups-create"' not in render(course.env, course.plan, "staff_1", staff=True)

    settings.PERSONALIZED_PATH_TEAMS_IMPORTER = f"{__name__}.RecordingImporter"
    masters = proposal["groups"][0]["members"][0]
    modes = {f"learner_{number:02d}": "audit" for number in range(8)}
    modes[masters] = "masters"
    RecordingImporter.runs, RecordingImporter.answer = [], []
    block = staff(course)
    block.runtime._services.update(teams=object(), enrollments=Enrollments(modes))  # pylint: disable=protected-access
    data = ok(block, "create_teams", {"team_set": "projects"})
    assert data["added"] == 7 and data["message"] == "7 learners are in their teams." and data["problems"] == []
    assert data["refusals"] == [f"{masters} was not added to Group 1: Open edX Teams does not put learners of the "
                                "master's track in one team with learners of other tracks."]
    rows = list(csv.DictReader(io.StringIO(RecordingImporter.runs[0])))
    assert len(rows) == 7 and masters not in {row["username"] for row in rows}

    RecordingImporter.answer = ["Teamset with id projects does not exist."]
    data = ok(block, "create_teams", {"team_set": "projects"})
    assert data["added"] == 0 and data["problems"] == RecordingImporter.answer
    assert data["message"] == "The platform made no teams. What it said:"
    assert call(course.block("plan", "learner_00"), "create_teams", {"team_set": "projects"})[0] == 403
