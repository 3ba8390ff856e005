"""The self-assessment in Debian's Chromium against a real workbench: keyboard, growth, axe, phone width."""
import pytest

pytestmark = pytest.mark.browser

SCENARIO = "personalized_self_assessment.0"


def block(page):
    """The self-assessment's root: the demo unit holds other blocks with the same shared classes."""
    return page.locator(".pp-self-assessment")


def rate(page, statement_index, label):
    fieldset = block(page).locator(".pp-statement").nth(statement_index)
    fieldset.get_by_label(label, exact=True).check()


def test_rate_submit_reload_rerate_and_see_growth(workbench, sized_page):
    page = sized_page.page
    student = f"sa_flow_{sized_page.width}"
    page.goto(workbench.scenario(SCENARIO, student))
    page.wait_for_selector(".pp-self-assessment .pp-form")
    sized_page.axe("empty", ".pp-self-assessment")
    sized_page.screenshot("empty")

    # Submitting with a statement unrated is an error state, announced and focused.
    rate(page, 0, "Not yet")
    block(page).get_by_role("button", name="Submit ratings").click()
    message = block(page).locator(".pp-statement").nth(1).locator(".pp-field-error")
    assert message.inner_text() == "Rate every statement before you submit."
    assert block(page).locator(".pp-statement").nth(1).locator("input").first.get_attribute("aria-invalid") == "true"
    sized_page.axe("error", ".pp-self-assessment")

    # Rating the statement takes the complaint back at once (not only at the next submit).
    rate(page, 1, "With help")
    assert block(page).locator(".pp-field-error").count() == 0
    assert block(page).locator(".pp-statement").nth(1).locator("input").first.get_attribute("aria-invalid") is None
    rate(page, 2, "Not sure yet")
    block(page).locator("textarea.pp-evidence").first.fill("<b>I did</b> exercise 4")
    sized_page.axe("filled", ".pp-self-assessment")
    sized_page.screenshot("filled")
    block(page).locator(".pp-form").evaluate("form => { form.dataset.kept = 'yes'; }")
    block(page).get_by_role("button", name="Submit ratings").click()
    page.wait_for_selector(".pp-self-assessment .pp-profile")
    assert block(page).locator(".pp-status").inner_text() == "Your ratings are saved."
    # The answer replaced only what changed: the form the learner filled is the same element.
    assert block(page).locator(".pp-form").get_attribute("data-kept") == "yes"
    assert block(page).get_by_role("button", name="Save new ratings").is_visible()
    assert block(page).get_by_role("heading", name="Rate yourself again").is_visible()
    assert block(page).locator(".pp-skill").first.inner_text().startswith("fractions")
    sized_page.axe("submitted", ".pp-self-assessment")
    sized_page.screenshot("submitted")

    page.reload()
    page.wait_for_selector(".pp-self-assessment .pp-profile")
    assert block(page).locator("textarea.pp-evidence").first.input_value() == "<b>I did</b> exercise 4"
    assert block(page).locator(".pp-statement").nth(0).get_by_label("Not yet", exact=True).is_checked()

    rate(page, 0, "On my own")
    block(page).get_by_role("button", name="Save new ratings").click()
    page.wait_for_selector(".pp-self-assessment .pp-growth tr[data-statement=compare-fractions] :text('Up 2 levels')")
    assert "Rated 2 times" in block(page).locator(".pp-profile .pp-meta").first.inner_text()
    if sized_page.width < 500:
        overflow = block(page).evaluate("root => root.scrollWidth - root.clientWidth")
        assert overflow <= 0, f"the block is wider than a {sized_page.width}px screen by {overflow}px"
    sized_page.screenshot("growth")


def test_keyboard_only_rating(workbench, browser_page):
    page = browser_page.page
    page.goto(workbench.scenario(SCENARIO, "sa_keyboard"))
    page.wait_for_selector(".pp-self-assessment .pp-form")
    block(page).locator(".pp-statement input[type=radio]").first.focus()
    for _statement in range(3):
        page.keyboard.press("ArrowRight")  # arrow keys move within one radio group and select
        page.keyboard.press("Tab")  # to the evidence box
        page.keyboard.press("Tab")  # to the next group (or the button)
    page.keyboard.press("Enter")
    page.wait_for_selector(".pp-self-assessment .pp-profile")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Your profile"
