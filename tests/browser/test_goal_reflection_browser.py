"""The goal reflection in Debian's Chromium against a real workbench: goals, check-ins, drafts, 500s, two tabs."""
import re
from datetime import date, timedelta

import pytest

pytestmark = pytest.mark.browser

SCENARIO = "personalized_goal_reflection.0"
DEMO = "personalized_self_assessment.0"
SOON = (date.today() + timedelta(days=20)).isoformat()
GOALS = {"long": "Add and compare any two fractions", "short-1": "Ten practice sums every evening",
         "short-2": "Ask my tutor about equivalence"}


def field(page, name):
    return page.locator(f'.pp-goal-reflection [data-field="{name}"]').first


def fill_goals(page, texts=None):
    for goal_id, text in (texts or GOALS).items():
        field(page, f"goals.{goal_id}.text").fill(text)
        field(page, f"goals.{goal_id}.target_date").fill(SOON)
    page.locator('.pp-goal-reflection [data-field="goals.long.smart"][value="S"]').check()


def fill_checkin(page, progress, next_step):
    for goal_id in GOALS:
        page.locator(f'.pp-goal-reflection input[data-field="progress.{goal_id}"][value="{progress}"]').check()
    field(page, "helped").fill("The worked examples helped")
    field(page, "obstacles").fill("Not enough time on Tuesday")
    field(page, "next_step").fill(next_step)


def drafts(page):
    return page.evaluate("Object.keys(window.localStorage).filter(k => k.startsWith('pp-goal-reflection:'))")


def test_set_goals_reload_check_in_twice_revise_and_see_the_timeline(workbench, browser_page):
    page = browser_page.page
    page.goto(workbench.scenario(SCENARIO, "gr_flow"))
    page.wait_for_selector(".pp-goal-reflection .pp-goals-form")
    browser_page.axe("empty")

    fill_goals(page, dict(GOALS, long="abc"))
    browser_page.axe("filled")
    page.get_by_role("button", name="Save my goals").click()
    # The message is a sentence placed beside its field (no field path), which is marked, described and focused.
    message = page.wait_for_selector(".pp-goal-reflection .pp-field-error:has-text('Write at least 5 characters.')")
    assert "goals.long" not in page.locator(".pp-goal-reflection").inner_text()
    assert message.get_attribute("role") == "alert"
    long_text = field(page, "goals.long.text")
    assert long_text.get_attribute("aria-invalid") == "true"
    assert message.get_attribute("id") in long_text.get_attribute("aria-describedby").split()
    assert page.evaluate("document.activeElement.getAttribute('data-field')") == "goals.long.text"
    placed_after = "document.querySelector('.pp-goal-reflection .pp-field-error').previousElementSibling.dataset.field"
    assert page.evaluate(placed_after) == "goals.long.text"
    assert field(page, "goals.short-1.text").input_value() == GOALS["short-1"]  # typed text stays
    browser_page.axe("error")
    browser_page.screenshot("error")

    field(page, "goals.long.text").fill(GOALS["long"])
    page.get_by_role("button", name="Save my goals").click()
    page.wait_for_selector(".pp-goal-reflection .pp-current")
    assert page.locator(".pp-goal-reflection .pp-status").inner_text() == "Your goals are saved."
    assert drafts(page) == []
    # The form is now "revise your goals", folded away, holding the very fields the learner filled in.
    revise = page.locator(".pp-goal-reflection details.pp-revise")
    assert revise.get_attribute("open") is None and "Revise your goals" in revise.locator("summary").inner_text()
    page.locator(".pp-revise summary").click()
    assert field(page, "goals.long.text").input_value() == GOALS["long"]
    assert field(page, "goals.short-2.target_date").input_value() == SOON
    assert page.locator('[data-field="goals.long.smart"][value="S"]').is_checked()
    assert page.get_by_role("button", name="Save revised goals").is_visible()
    assert page.locator(".pp-goal-reflection .pp-goal-fields fieldset.pp-goal").count() == 3
    browser_page.axe("saved")

    page.reload()
    page.wait_for_selector(".pp-goal-reflection .pp-current")
    assert GOALS["short-2"] in page.locator(".pp-current").inner_text()
    for number, step in ((1, "Finish sheet one"), (2, "Start sheet two")):
        fill_checkin(page, number, step)
        page.get_by_role("button", name="Save check-in").click()
        page.wait_for_selector(f".pp-timeline-entry:has-text('Check-in {number}')")
    current = page.locator(".pp-current").inner_text()
    assert GOALS["long"] in current and "Start sheet two" in current and "About halfway" in current

    page.locator(".pp-revise summary").click()
    field(page, "goals.short-1.text").fill("Fifteen practice sums every evening")
    page.get_by_role("button", name="Save revised goals").click()
    page.wait_for_selector(".pp-timeline-entry:has-text('Goals revised')")
    entries = page.locator(".pp-timeline-entry .pp-entry-head strong").all_inner_texts()
    assert entries == ["Goals revised", "Check-in 2", "Check-in 1", "Goals set"]
    timeline = page.locator(".pp-timeline").inner_text()
    assert timeline.index("Fifteen practice sums") < timeline.index("Ten practice sums")
    browser_page.screenshot("timeline")


def test_failed_saves_keep_the_text_through_a_reload_and_succeed_on_retry(workbench, browser_page):
    page = browser_page.page
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.accept()))
    page.goto(workbench.scenario(SCENARIO, "gr_retry"))
    page.wait_for_selector(".pp-goal-reflection .pp-goals-form")
    fill_goals(page)
    assert len(drafts(page)) == 1

    failures = ["abort", "500"]

    def flaky(route):
        failure = failures.pop(0) if failures else None
        if failure == "abort":
            route.abort("internetdisconnected")
        elif failure == "500":
            route.fulfill(status=500, content_type="text/html", body="<h1>Server Error</h1>")
        else:
            route.continue_()
    page.route(re.compile(r"/save_goals/"), flaky)

    page.get_by_role("button", name="Save my goals").click()
    page.wait_for_selector(".pp-error:has-text('could not be reached')")
    assert field(page, "goals.long.text").input_value() == GOALS["long"]

    page.reload()  # the draft outlives the page; leaving with unsaved text warns first
    page.wait_for_selector(".pp-goal-reflection .pp-goals-form")
    assert "beforeunload" in dialogs
    assert field(page, "goals.short-2.text").input_value() == GOALS["short-2"]
    assert field(page, "goals.long.target_date").input_value() == SOON
    assert page.locator('[data-field="goals.long.smart"][value="S"]').is_checked()
    assert "Unsaved text from before" in page.locator(".pp-goal-reflection .pp-status").inner_text()

    page.get_by_role("button", name="Save my goals").click()
    page.wait_for_selector(".pp-error:has-text('Something went wrong on the server')")
    assert field(page, "goals.long.text").input_value() == GOALS["long"] and len(drafts(page)) == 1

    page.get_by_role("button", name="Save my goals").click()
    page.wait_for_selector(".pp-goal-reflection .pp-current")
    assert GOALS["long"] in page.locator(".pp-current").inner_text() and drafts(page) == []
    warned = len(dialogs)
    page.reload()
    page.wait_for_selector(".pp-goal-reflection .pp-current")
    assert len(dialogs) == warned  # nothing unsaved, no warning


def test_two_tabs_get_a_409_and_lose_nothing(workbench, browser_page):
    first = browser_page.page
    first.goto(workbench.scenario(SCENARIO, "gr_tabs"))
    first.wait_for_selector(".pp-goal-reflection .pp-goals-form")
    fill_goals(first)
    first.get_by_role("button", name="Save my goals").click()
    first.wait_for_selector(".pp-goal-reflection .pp-current")

    second = browser_page.another_tab("second")
    second.page.goto(workbench.scenario(SCENARIO, "gr_tabs"))
    second.page.wait_for_selector(".pp-goal-reflection .pp-current")

    fill_checkin(first, 1, "Written in the first tab")
    first.get_by_role("button", name="Save check-in").click()
    first.wait_for_selector(".pp-timeline-entry:has-text('Check-in 1')")

    fill_checkin(second.page, 3, "Written in the second tab")
    second.page.get_by_role("button", name="Save check-in").click()
    second.page.wait_for_selector(".pp-conflict:not([hidden])")
    assert "another tab" in second.page.locator(".pp-conflict").inner_text()
    assert field(second.page, "next_step").input_value() == "Written in the second tab"
    second.axe("conflict")
    second.screenshot("conflict")

    second.page.get_by_role("button", name="Load the latest version").click()
    second.page.wait_for_selector(".pp-timeline-entry:has-text('Check-in 1')")
    assert field(second.page, "next_step").input_value() == "Written in the second tab"
    assert second.page.locator('input[data-field="progress.long"][value="3"]').is_checked()
    assert "your unsaved text is back" in second.page.locator(".pp-status").inner_text()
    second.page.get_by_role("button", name="Save check-in").click()
    second.page.wait_for_selector(".pp-timeline-entry:has-text('Check-in 2')")
    timeline = second.page.locator(".pp-timeline").inner_text()
    assert "Written in the first tab" in timeline and "Written in the second tab" in timeline
    assert not second.errors


def test_demo_unit_ends_with_goals_that_recall_the_self_assessment(workbench, sized_page):
    page = sized_page.page
    page.goto(workbench.scenario(DEMO, f"gr_demo_{sized_page.width}"))
    page.wait_for_selector(".pp-goal-reflection .pp-goals-form")
    roots = page.locator(".xblock-v1[data-block-type]").evaluate_all(
        "nodes => nodes.map(node => node.getAttribute('data-block-type'))")
    assert roots[-2:] == ["personalized_goal_reflection", "personalized_learning_plan"]  # the plan closes the unit
    assessment = page.locator(".pp-self-assessment")
    for index in range(assessment.locator(".pp-statement").count()):
        assessment.locator(".pp-statement").nth(index).get_by_label("With help", exact=True).check()
    assessment.get_by_role("button", name="Submit ratings").click()
    page.wait_for_selector(".pp-self-assessment .pp-profile")
    page.reload()
    recap = page.locator(".pp-goal-reflection .pp-recap")
    recap.wait_for()
    assert "With help" in recap.inner_text()
    fill_goals(page, {"long": GOALS["long"], "short-1": GOALS["short-1"]})
    page.get_by_role("button", name="Save my goals").click()
    page.wait_for_selector(".pp-goal-reflection .pp-current")
    sized_page.axe("demo-saved", ".pp-goal-reflection")
    if sized_page.width < 500:
        overflow = page.evaluate("(() => { const root = document.querySelector('.pp-goal-reflection');"
                                 " return root.scrollWidth - root.clientWidth; })()")
        assert overflow <= 0, f"the block is wider than a {sized_page.width}px screen by {overflow}px"
    sized_page.screenshot("demo")


def test_woop_and_if_then_plan_form_is_accessible(workbench, browser_page):
    page = browser_page.page
    page.goto(workbench.scenario("personalized_goal_reflection.1", "gr_plans"))
    page.wait_for_selector(".pp-goal-reflection .pp-plan-fields")
    assert page.locator(".pp-goal-reflection input[type=checkbox]").count() == 0
    field(page, "plan.woop_obstacle").fill("I put things off")
    browser_page.axe("plans")


def test_drafts_expire_after_a_week(workbench, browser_page):
    """A draft older than 7 days is neither restored nor kept; so are stale drafts of other blocks."""
    page = browser_page.page
    page.goto(workbench.scenario(SCENARIO, "gr_expiry"))
    page.wait_for_selector(".pp-goal-reflection .pp-goals-form")
    fill_goals(page)
    [key] = drafts(page)
    stored = page.evaluate(f"JSON.parse(window.localStorage.getItem('{key}'))")
    assert stored["values"]["goals.long.text"] == GOALS["long"] and stored["at"] > 0
    eight_days = 8 * 24 * 60 * 60 * 1000
    page.evaluate(f"""() => {{
        const old = JSON.parse(window.localStorage.getItem('{key}'));
        old.at -= {eight_days};
        window.localStorage.setItem('{key}', JSON.stringify(old));
        window.localStorage.setItem('pp-goal-reflection:another-block:someone:goals',
                                    JSON.stringify({{at: Date.now() - {eight_days}, values: {{}}}}));
        window.localStorage.setItem('pp-goal-reflection:another-block:someone:checkin',
                                    JSON.stringify({{at: Date.now(), values: {{}}}}));
    }}""")
    page.on("dialog", lambda dialog: dialog.accept())
    page.reload()
    page.wait_for_selector(".pp-goal-reflection .pp-goals-form")
    assert field(page, "goals.long.text").input_value() == ""
    assert drafts(page) == ["pp-goal-reflection:another-block:someone:checkin"]
