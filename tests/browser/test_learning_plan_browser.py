"""The learning plan in Debian's Chromium against a real workbench: a learner's page after the demo unit,
and the staff class view over learners generated through the handlers (filter, CSV, an exception)."""
import csv
import io
import json

import pytest

from tests.builders import DEMO_BOARD, DEMO_CHECK, DEMO_GATE, DEMO_PLAN, DEMO_SELF_ASSESSMENT

pytestmark = pytest.mark.browser

SCENARIO = "personalized_self_assessment.0"
PLAN = ".pp-learning-plan"
WRONG = {"half": ["b"], "sum": ["a"], "same": ["y"]}
RIGHT = {"half": ["a"], "sum": ["b"], "same": ["x", "z"]}


def assert_fits(sized_page, selector=PLAN):
    if sized_page.width < 500:
        overflow = sized_page.page.locator(selector).evaluate("root => root.scrollWidth - root.clientWidth")
        assert overflow <= 0, f"the plan is wider than a {sized_page.width}px screen by {overflow}px"


def test_a_learners_plan_after_a_realistic_path_through_the_demo_unit(workbench, sized_page):
    page = sized_page.page
    student = f"plan_path_{sized_page.width}"
    page.goto(workbench.scenario(SCENARIO, student))
    page.wait_for_selector(f"{PLAN}[data-view=learner]")
    # Rates "could teach it" on fractions, then gets the fractions questions wrong.
    for index, label in enumerate(["Could teach it", "Could teach it", "With help"]):
        page.locator(".pp-self-assessment .pp-statement").nth(index).get_by_label(label, exact=True).check()
    page.get_by_role("button", name="Submit ratings").click()
    page.wait_for_selector(".pp-self-assessment .pp-profile")
    for index, label in enumerate(["1/3", "2/5"]):
        page.locator(".pp-skill-check .pp-question").nth(index).get_by_label(label, exact=True).check()
    page.locator(".pp-skill-check .pp-question").nth(2).get_by_label("3/6", exact=True).check()
    page.get_by_role("button", name="Submit answers").click()
    page.wait_for_selector(".pp-skill-check .pp-summary")
    page.locator('.pp-choice-board .pp-choose[data-tile="fraction-strips"]').click()
    page.wait_for_selector('.pp-choice-board .pp-choose[data-tile="fraction-strips"][aria-pressed="true"]')

    page.reload()
    plan = page.locator(PLAN)
    plan.wait_for()
    fractions = plan.locator(".pp-plan-skill[data-skill=fractions]")
    assert fractions.get_attribute("data-calibration") == "higher"
    assert "You rate yourself higher than your results so far." in fractions.inner_text()
    assert "Level 4 of 4" in fractions.inner_text() and fractions.get_attribute("data-band") == "beginning"
    assert plan.locator(".pp-plan-gate").get_attribute("data-status") == "locked"
    steps = plan.locator(".pp-plan-steps li")
    assert "Score at least 60% on “Fractions check”." in steps.first.inner_text()
    assert "Opens the way in 1 locked part." in steps.first.inner_text()
    assert "Fraction strips video: to do" in plan.locator(".pp-plan-board").inner_text()
    sized_page.axe("learner", PLAN)
    assert_fits(sized_page)
    sized_page.screenshot("learner", PLAN)

    # Interests by keyboard only: Tab to a topic, Space to tick it, Enter on the button.
    plan.locator("input[name=interest]").first.focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    plan.get_by_role("button", name="Save my interests").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector(f"{PLAN} .pp-status:has-text('Your interests are saved.')")
    state = page.request.get(f"{workbench.url}/handler/{DEMO_PLAN}/"
                             f"student_view_user_state/?student={student}").json()
    assert state["interests"] == ["sport", "music"] and state["plan"]["gates"][0]["unlocked"] is False

    # The downloadable copy is the same plan as one printable file.
    href = plan.locator(".pp-plan-download").get_attribute("href")
    assert f"student={student}" in href
    download = page.request.get(workbench.url + href)
    assert download.status == 200 and "attachment" in download.headers["content-disposition"]
    assert "You rate yourself higher than your results so far." in download.text()
    page.emulate_media(media="print")
    assert not plan.locator(".pp-plan-tools").is_visible()
    page.emulate_media(media="screen")


def generate_class(workbench, context, prefix, count=32):
    """Learners through the real handlers: odd ones pass the check, even ones rate high, fail and are stuck."""
    request = context.request
    csrf = None
    for number in range(count):
        student = f"{prefix}_{number:02d}"
        if csrf is None:
            request.get(workbench.scenario(SCENARIO, student))
            csrf = next(cookie["value"] for cookie in context.cookies() if cookie["name"] == "csrftoken")

        def post(usage, handler, body):
            response = request.post(f"{workbench.url}/handler/{usage}/{handler}/?student={student}",  # noqa: B023
                                    data=json.dumps(body), headers={"X-CSRFToken": csrf,  # noqa: B023
                                                                    "Content-Type": "application/json"})
            assert response.ok, response.text()
        level = 1 if number % 2 else 4
        post(DEMO_SELF_ASSESSMENT, "submit", {"ratings": {"compare-fractions": level, "add-fractions": level,
                                                          "explain-equivalence": level}})
        post(DEMO_CHECK, "submit", {"answers": RIGHT if number % 2 else WRONG})
        post(DEMO_GATE, "check_again", {})
        if number % 4 == 1:
            post(DEMO_BOARD, "choose", {"tiles": ["explain-to-peer"]})


def test_staff_grid_filter_export_and_an_exception_the_learner_sees(workbench, sized_page, new_context):
    prefix = f"class{sized_page.width}"
    generate_class(workbench, new_context(), prefix)
    page = sized_page.page
    page.goto(workbench.scenario(SCENARIO, f"staff_plan_{sized_page.width}"))
    plan = page.locator(PLAN)
    page.wait_for_selector(f"{PLAN}[data-view=class]")
    heading = plan.locator(".pp-plan-grid h3").first
    assert int(heading.inner_text().split(" of ")[-1]) >= 32
    sized_page.axe("class", PLAN)

    # Filter to "stuck at a gate" (0 days: everyone locked now), by keyboard.
    plan.locator("select[name=filter]").select_option("stuck")
    plan.locator("input[name=stuck_days]").fill("0")
    plan.locator("input[name=search]").fill(prefix + "_")
    plan.get_by_role("button", name="Show learners").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector(f"{PLAN} .pp-plan-grid h3:has-text('16 shown of')")
    assert page.evaluate("document.activeElement.tagName") == "H3"
    names = plan.locator(".pp-plan-table tbody tr").evaluate_all("rows => rows.map(row => row.dataset.learner)")
    assert names and all(int(name.split("_")[1]) % 2 == 0 for name in names)
    assert int(plan.locator(".pp-plan-routes .pp-plan-locked-count").first.inner_text()) >= 16  # the whole class
    plan.locator(".pp-plan-show-self").check()
    assert plan.locator(".pp-plan-table .pp-plan-self").first.is_visible()
    sized_page.axe("class-filtered", PLAN)
    assert_fits(sized_page)
    sized_page.screenshot("class", PLAN)

    # The export is the filtered class as CSV, streamed by the plugin's view (the handler where it is not served).
    assert plan.locator(".pp-plan-export").get_attribute("href").startswith("/personalized_path/learning_plan/")
    with page.expect_download() as download_info:
        plan.locator(".pp-plan-export").click()
    rows = list(csv.reader(io.StringIO(open(download_info.value.path(), encoding="utf-8").read())))
    header, lines = rows[0], [row for row in rows[1:] if row[0].startswith(prefix)]
    assert header[0] == "learner" and "fractions: mastery %" in header
    assert len(lines) == 16 and all(int(row[0].split("_")[1]) % 2 == 0 for row in lines)
    status = header.index("Lesson: adding fractions: status")
    assert {row[status] for row in lines} == {"locked"}
    assert {row[header.index("fractions: calibration")] for row in lines} == {"higher"}

    # An exception for one learner, through the form by keyboard.
    plan.locator(f'.pp-plan-pick[data-learner="{prefix}_04"]').click()
    form = plan.locator(".pp-plan-exception-form")
    assert form.locator("input[name=learner]").input_value() == f"{prefix}_04"
    form.locator("select[name=action]").select_option("unlock")
    form.get_by_role("button", name="Apply the exception").click()
    # The server's complaint sits beside the reason, and goes as soon as the reason is corrected.
    page.wait_for_selector(f"{PLAN} .pp-plan-exception-form .pp-field-error:has-text('Write at least 3 characters.')")
    assert form.locator("textarea[name=reason]").get_attribute("aria-invalid") == "true"
    form.locator("textarea[name=reason]").fill("Missed the check while ill; the note says so.")
    assert form.locator(".pp-field-error").count() == 0
    assert form.locator("textarea[name=reason]").get_attribute("aria-invalid") is None
    form.get_by_role("button", name="Apply the exception").click()
    page.wait_for_selector(f"{PLAN} .pp-status:has-text('The exception is saved.')")
    assert "15 shown of" in plan.locator(".pp-plan-grid h3").first.inner_text()
    sized_page.axe("class-exception", PLAN)

    learner = new_context(viewport={"width": sized_page.width, "height": 800}).new_page()
    learner.goto(workbench.scenario(SCENARIO, f"{prefix}_04"))
    learner.wait_for_selector(".pp-mastery-gate[data-state=unlocked]")
    assert "Opened by your instructor on" in learner.locator(".pp-mastery-gate .pp-gate-exception").inner_text()
    assert "Missed the check while ill" in learner.locator(".pp-mastery-gate").inner_text()
    assert "Opened by your instructor on" in learner.locator(PLAN).inner_text()
