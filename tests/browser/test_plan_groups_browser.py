"""Groups on the learning plan in Debian's Chromium (issue 27): a teacher proposes mixed-ability groups of 4
for a class of 30, moves one learner with the keyboard, saves, exports the Teams CSV, shows the groups and
opens the saved grouping again from a new page; a
learner sees their group (and only theirs) on the plan. In English and in Arabic (right to left), at desktop
width and at 375 px, axe-clean."""
import csv
import io
import json

import pytest

from tests.builders import DEMO_CHECK, DEMO_PLAN

pytestmark = pytest.mark.browser

SCENARIO = "personalized_self_assessment.0"
PLAN = ".pp-learning-plan"
GROUPS = f"{PLAN} .pp-plan-groups"
ANSWERS = [{"half": ["a"], "sum": ["b"], "same": ["x", "z"]}, {"half": ["a"], "sum": ["a"], "same": ["y"]},
           {"half": ["b"], "sum": ["a"], "same": ["y"]}]


def simulated_class(workbench, context, prefix, count=30):
    """Learners who answered the demo's check well, half well or badly (a third each); every other one likes music."""
    request = context.request
    request.get(workbench.scenario(SCENARIO, f"{prefix}_00"))
    csrf = next(cookie["value"] for cookie in context.cookies() if cookie["name"] == "csrftoken")
    headers = {"X-CSRFToken": csrf, "Content-Type": "application/json"}
    for number in range(count):
        query = f"?student={prefix}_{number:02d}"
        answered = request.post(f"{workbench.url}/handler/{DEMO_CHECK}/submit/{query}",
                                data=json.dumps({"answers": ANSWERS[number % 3]}), headers=headers)
        picked = request.post(f"{workbench.url}/handler/{DEMO_PLAN}/save_interests/{query}",
                              data=json.dumps({"interests": ["music"] if number % 2 else ["sport"]}), headers=headers)
        assert answered.ok and picked.ok, (answered.text(), picked.text())


def fits(page, selector=PLAN):
    return page.locator(selector).evaluate("root => root.scrollWidth - root.clientWidth") <= 0


@pytest.mark.parametrize("language", ["en", "ar"])
def test_a_teacher_groups_the_class_and_a_learner_sees_their_group(workbench, sized_page, new_context, language):
    prefix = f"groups_{language}_{sized_page.width}"
    simulated_class(workbench, new_context(), prefix)
    page = sized_page.page
    suffix = "&lang=ar" if language == "ar" else ""
    page.goto(workbench.scenario(SCENARIO, f"staff_{prefix}") + suffix)
    page.wait_for_selector(f"{PLAN}[data-view=class]")
    groups = page.locator(GROUPS)
    if language == "ar":
        assert page.evaluate("document.documentElement.dir") == "rtl"
        assert groups.get_by_role("button", name="اقتراح مجموعات").count() == 1

    # Mixed ability (the default kind) in groups of 4 (the default size), by keyboard.
    groups.locator("select[name=kind]").select_option("mixed")
    groups.locator("input[name=number]").fill("4")
    groups.locator(".pp-groups-form button[type=submit]").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector(f"{GROUPS} .pp-groups-editor[data-saved=false]")
    assert page.evaluate("document.activeElement.tagName") == "H4"
    sizes = groups.locator(".pp-group").evaluate_all(
        "groups => groups.map(group => group.querySelectorAll('.pp-group-member').length)")
    assert max(sizes) == 4 and min(sizes) >= 3  # the whole workbench class, in groups within one of each other
    sized_page.axe(f"groups-proposed-{language}", PLAN)
    assert fits(page)

    # Move one learner with the select of their row (keyboard operable), then name the group they join.
    mover = f"{prefix}_03"
    row = groups.locator(f'.pp-group-member[data-learner="{mover}"]')
    start = int(row.locator("xpath=ancestor::fieldset").get_attribute("data-group"))
    target = 0 if start else 1
    row.locator("select.pp-group-move").select_option(str(target))
    moved = groups.locator(f'.pp-group[data-group="{target}"] .pp-group-member[data-learner="{mover}"]')
    moved.wait_for()
    assert mover in page.locator(f"{PLAN} .pp-status").inner_text()
    groups.locator(f'.pp-group[data-group="{target}"] .pp-group-name').fill("Owls")
    groups.locator(".pp-groups-save").click()
    page.wait_for_selector(f"{GROUPS} .pp-groups-editor[data-saved=true]")
    assert "staff_" + prefix in groups.locator(".pp-groups-editor").inner_text()  # saved by whom
    assert groups.locator(f'.pp-group[data-group="{target}"] .pp-group-member[data-learner="{mover}"]').count() == 1

    # The Teams export: the team-set named, each learner's row with their group as the team.
    groups.locator("input[name=team_set]").fill("projects")
    with page.expect_download() as download_info:
        groups.locator(".pp-groups-export button[type=submit]").click()
    rows = list(csv.DictReader(io.StringIO(open(download_info.value.path(), encoding="utf-8").read())))
    assert list(rows[0]) == ["username", "external_user_id", "mode", "projects"]
    assert {row["username"]: row["projects"] for row in rows}[mover] == "Owls"
    assert {row["mode"] for row in rows} == {"audit"}

    groups.locator(".pp-groups-publish[data-publish=true]").click()
    page.wait_for_selector(f"{GROUPS} .pp-groups-publish[data-publish=true]", state="detached")
    assert groups.locator(".pp-groups-publish[data-publish=false]").count() == 1

    # Opened again, the page offers the saved grouping (it does not read the class) and shows its
    # editor when asked, by keyboard.
    page.reload()
    page.wait_for_selector(f"{PLAN}[data-view=class]")
    assert groups.locator(".pp-groups-editor").count() == 0
    groups.locator(".pp-groups-open").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector(f"{GROUPS} .pp-groups-editor[data-saved=true]")
    assert page.evaluate("document.activeElement.tagName") == "H4"
    assert groups.locator(f'.pp-group[data-group="{target}"] .pp-group-name').input_value() == "Owls"
    sized_page.axe(f"groups-saved-{language}", PLAN)
    assert fits(page)
    sized_page.screenshot(f"groups-{language}", GROUPS)
    team = groups.locator(f'.pp-group[data-group="{target}"] .pp-group-member').evaluate_all(
        "rows => rows.map(row => row.dataset.learner)")
    others = [name for name in groups.locator(".pp-group-member").evaluate_all(
        "rows => rows.map(row => row.dataset.learner)") if name not in team]

    learner = new_context(viewport={"width": sized_page.width, "height": 800}).new_page()
    learner.goto(workbench.scenario(SCENARIO, mover) + suffix)
    mine = learner.locator(f"{PLAN} .pp-plan-group")
    mine.wait_for()
    text = mine.inner_text()
    assert "Owls" in text and all(name in text for name in team)
    assert not any(name in text for name in others) and "%" not in text
    assert fits(learner)
