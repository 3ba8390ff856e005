"""
Skills from the platform's taxonomies (issue 29), with the real tagging app (openedx_tagging) and its
tables in the test database: the repo's small framework imported by the management command, two of
its skills picked in a gate and a skill check through their editors, the skills written as the blocks'
content tags, and the learner's plan under the framework's labels with the parent rolled up.
"""
import json

import pytest
from openedx_tagging.core.tagging import api as tagging

from personalized_path.openedx.skill_tags import PlatformSkillTags
from tests.builders import ADD, COMPARE, QUESTIONS, author_picks_two_skills, framework_answers, framework_unit
from tests.harness import call, olx_round_trip, ok

pytestmark = [pytest.mark.tagging, pytest.mark.django_db]


@pytest.fixture(name="unit")
def unit_with_the_framework(env):
    return framework_unit(env)


def plan_rows(env, unit, user):
    html = env.block(unit["plan"], user).render("student_view", {}).body_html()
    rows = html.split('class="pp-plan-skill"')[1:]
    return [(row.split('data-skill="')[1].split('"')[0], row.split('data-band="')[1].split('"')[0],
             row.split('<th scope="row" dir="auto">')[1].split("</th>")[0]) for row in rows]


def test_the_editors_offer_the_frameworks_skills_with_their_hierarchy(env, unit):
    data = ok(env.block(unit["gate"], "staff", staff=True), "editor_catalog", {})
    options = {option["slug"]: option for option in data["framework"]}
    assert set(options) == {"3-nf", ADD, "3-nf-2", COMPARE}
    assert options[ADD]["path"] == ["Fractions", "Understand a fraction as parts of a whole"]
    assert options[ADD]["taxonomy"] == "Fractions framework"


def test_picked_skills_become_content_tags_and_a_removed_skill_loses_its_tag_only(env, unit):
    author_picks_two_skills(env, unit)
    tags = PlatformSkillTags("")
    assert tags.block_skills(str(unit["check"])) == [COMPARE, ADD]   # in the taxonomy's tree order
    assert tags.block_skills(str(unit["gate"])) == [ADD]
    taxonomy = tags.taxonomies()[0]
    tagging.tag_object(str(unit["check"]), taxonomy, ["Compare fractions", "Fractions"])  # one by hand
    status, data = call(env.block(unit["check"], "staff", staff=True), "submit_studio_edits", {"values": {
        "questions": [item for item in QUESTIONS if item["skill"] == COMPARE]}})
    assert status == 200, data
    assert tags.block_skills(str(unit["check"])) == ["3-nf", COMPARE]


def test_a_learners_mastery_shows_under_the_frameworks_labels_and_the_parent_rolls_up(env, unit):
    author_picks_two_skills(env, unit)
    lock = env.block(unit["gate"], "ada").render("student_view", {}).body_html()
    assert "mastery of the skill “Understand a fraction as parts of a whole”" in lock   # the gate's words too
    ok(env.block(unit["check"], "ada"), "submit", framework_answers("right", "right"))
    assert plan_rows(env, unit, "ada") == [
        ("3-nf", "mastered", "Fractions"),
        (ADD, "mastered", "Understand a fraction as parts of a whole"),
        (COMPARE, "mastered", "Compare fractions"),
    ]
    ok(env.block(unit["check"], "bo"), "submit", framework_answers("right", "wrong"))
    assert [band for _slug, band, _label in plan_rows(env, unit, "bo")] == ["developing", "mastered", "beginning"]
    staff_view = env.block(unit["plan"], "staff", staff=True).render("student_view", {}).body_html()
    assert '<th scope="col" dir="auto">Compare fractions</th>' in staff_view   # the class grid's column
    assert "Mastery of Compare fractions" in staff_view                       # and its sort
    plan = env.block(unit["plan"], "staff", staff=True)
    status, data = call(plan, "submit_studio_edits", {"values": {"parent_skill_rule": "at_least",
                                                                 "parent_skill_at_least": 1}})
    assert status == 200, data
    assert plan_rows(env, unit, "bo")[0][:2] == ("3-nf", "mastered")


def test_a_renamed_skill_keeps_its_slug_and_the_learners_evidence(env, unit):
    author_picks_two_skills(env, unit)
    ok(env.block(unit["check"], "ada"), "submit", framework_answers("right", "right"))
    taxonomy = PlatformSkillTags("").taxonomies()[0]
    tagging.update_tag_in_taxonomy(taxonomy, "Compare fractions", "Comparar fracciones")
    rows = plan_rows(env, unit, "ada")
    assert (COMPARE, "mastered", "Comparar fracciones") in rows


def test_course_export_and_import_keep_the_skill_slugs(env, unit):
    author_picks_two_skills(env, unit)
    original, copy = olx_round_trip(env, unit["check"])
    assert [q["skill"] for q in copy.questions] == [q["skill"] for q in original.questions] == \
        [ADD] * 6 + [COMPARE] * 6
    original, copy = olx_round_trip(env, unit["gate"])
    assert json.dumps(copy.skills) == json.dumps(original.skills)


def test_a_gate_on_the_parent_skill_opens_when_all_its_measured_children_are_mastered(env, unit):
    author_picks_two_skills(env, unit)
    status, data = call(env.block(unit["gate"], "staff", staff=True), "submit_studio_edits", {"values": {
        "skill_checks": [unit["check"]], "skills": [{"skill": "3-nf", "threshold": 80}]}})
    assert status == 200, data   # no check asks about "3-nf" itself: its children measure it
    status, data = call(env.block(unit["gate"], "staff", staff=True), "submit_studio_edits", {"values": {
        "skill_checks": [unit["check"]], "skills": [{"skill": "3-nf-2", "threshold": 80}]}})
    assert status == 400 and "3-nf-2" in data["error"]   # a child no check asks about is still refused
    ok(env.block(unit["check"], "bo"), "submit", framework_answers("right", "wrong"))
    gate = env.block(unit["gate"], "bo").render("student_view", {}).body_html()
    assert 'data-state="locked"' in gate and "mastery of the skill “Fractions”" in gate
    ok(env.block(unit["check"], "ada"), "submit", framework_answers("right", "right"))
    assert 'data-state="unlocked"' in env.block(unit["gate"], "ada").render("student_view", {}).body_html()
