"""The Studio editor in the workbench: saves with CSRF, refuses bad values with a message, escapes."""
import pytest

pytestmark = pytest.mark.browser

SCENARIO = "personalized_self_assessment.1"


def test_studio_edit_view_saves_and_shows_validation_errors(workbench, browser_page):
    page = browser_page.page
    page.goto(workbench.scenario(SCENARIO, "staff_editor", view="studio_view"))
    title = page.locator("li[data-field-name=display_name] input")
    title.fill("Before the <b>project</b>")
    scale = page.locator("li[data-field-name=scale] textarea, li[data-field-name=scale] input").first
    scale.fill('[{"label": "Only one"}]')
    page.locator(".save-button").click()
    page.wait_for_selector("#pp-workbench-notice:has-text('3 to 5 levels')")
    page.goto(workbench.scenario(SCENARIO, "learner_x"))
    assert page.locator(".pp-title").inner_text() == "Check-in before the project"  # nothing was written

    page.goto(workbench.scenario(SCENARIO, "staff_editor", view="studio_view"))
    page.locator("li[data-field-name=display_name] input").fill("Before the <b>project</b>")
    page.locator(".save-button").click()
    page.wait_for_url("**/scenario/personalized_self_assessment.1/?student=staff_editor")
    assert page.locator(".pp-title").inner_text() == "Before the <b>project</b>"
