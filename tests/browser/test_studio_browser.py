"""The Studio editor in the workbench: saves with CSRF, refuses bad values by their field, escapes."""
import pytest

pytestmark = pytest.mark.browser

SCENARIO = "personalized_self_assessment.1"


def test_studio_edit_view_saves_and_shows_validation_errors(workbench, browser_page):
    page = browser_page.page
    page.goto(workbench.scenario(SCENARIO, "learner_x"))
    page.goto(workbench.scenario(SCENARIO, "staff_editor", view="studio_view"))
    editor = page.locator(".pp-editor")
    editor.get_by_label("Title", exact=True).fill("Before the <b>project</b>")
    while editor.get_by_role("button", name="Remove: Level 2").count():
        editor.get_by_role("button", name="Remove: Level 2").click()
    editor.locator(".save-button").click()
    scale_error = editor.locator("fieldset.pp-field", has=page.locator("legend", has_text="Scale")).locator(
        ":scope > .pp-field-error")
    scale_error.wait_for()
    assert scale_error.inner_text() == "The scale needs from 3 to 5 levels."
    assert "The settings were not saved" in page.locator("#pp-workbench-notice").inner_text()
    page.goto(workbench.scenario(SCENARIO, "learner_x"))
    assert page.locator(".pp-title").inner_text() == "Check-in before the project"  # nothing was written

    page.goto(workbench.scenario(SCENARIO, "staff_editor", view="studio_view"))
    page.locator(".pp-editor").get_by_label("Title", exact=True).fill("Before the <b>project</b>")
    page.locator(".save-button").click()
    page.wait_for_url("**/scenario/personalized_self_assessment.1/?student=staff_editor")
    assert page.locator(".pp-title").inner_text() == "Before the <b>project</b>"


def test_a_newcomer_finds_the_staff_view_the_editors_and_the_time_zone_from_the_demo_home(workbench, browser_page):
    page = browser_page.page
    page.goto(workbench.url + "/")
    browser_page.axe("demo home", "main.pp-home")
    page.get_by_label("Time zone of the demo user", exact=False).select_option("Pacific/Auckland")
    page.get_by_role("button", name="Use this time zone").click()
    page.wait_for_selector("text=Now: Pacific/Auckland")
    page.get_by_role("link", name="The demo unit as course staff").click()
    page.wait_for_selector(".pp-self-assessment + .pp-staff-tools")
    assert "student=staff_1" in page.url
    page.go_back()
    page.get_by_role("link", name="Mastery gate", exact=True).click()
    page.wait_for_selector(".xblock-v1[data-block-type=personalized_mastery_gate] .pp-editor[data-catalog=ready]")
    assert "studio_view" in page.url
