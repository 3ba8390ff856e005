"""The skill check in Debian's Chromium against a real workbench: retry flow, keyboard, axe, phone width."""
import pytest

pytestmark = pytest.mark.browser

SCENARIO = "personalized_skill_check.0"


def choose(page, question_index, label):
    page.locator(".pp-question").nth(question_index).get_by_label(label, exact=True).check()


def test_wrong_answer_feedback_retry_and_pass(workbench, sized_page):
    page = sized_page.page
    page.goto(workbench.scenario(SCENARIO, f"sc_flow_{sized_page.width}"))
    page.wait_for_selector(".pp-skill-check .pp-form")
    assert "You have 2 attempts." in page.locator(".pp-actions").inner_text()
    sized_page.axe("empty")
    sized_page.screenshot("empty")

    # Submitting with a question unanswered is an error state, announced and focused.
    choose(page, 0, "1/3")
    page.get_by_role("button", name="Submit answers").click()
    message = page.locator(".pp-question").nth(1).locator(".pp-field-error")
    assert message.inner_text() == "Answer every question before you submit."
    assert page.locator(".pp-question").nth(1).locator("input").first.get_attribute("aria-invalid") == "true"
    sized_page.axe("error")

    choose(page, 1, "2/3")
    page.get_by_role("button", name="Submit answers").click()
    page.wait_for_selector(".pp-summary")
    assert page.locator(".pp-status").inner_text() == "Your answers are graded."
    assert "0 of 2 correct (0%)" in page.locator(".pp-score").inner_text()
    assert "You have 1 attempt left." in page.locator(".pp-attempts").inner_text()
    assert page.locator(".pp-incorrect .pp-verdict").count() == 2
    assert "1/3 is less than a half." in page.locator(".pp-question").nth(0).inner_text()
    # feedback of a choice not chosen stays on the server (the workbench's own debug panel prints the
    # whole block, so look inside the block)
    assert "Right: 2 of 4" not in page.locator(".pp-root").inner_html()
    assert page.evaluate("document.activeElement.textContent") == "Your result"
    sized_page.axe("feedback")
    sized_page.screenshot("feedback")

    # The learner's answers stay selected after a reload, so they can change just what was wrong.
    page.reload()
    page.wait_for_selector(".pp-summary")
    assert page.locator(".pp-question").nth(0).get_by_label("1/3", exact=True).is_checked()
    choose(page, 0, "2/4")
    choose(page, 1, "5/8")
    page.get_by_role("button", name="Submit again").click()
    page.wait_for_selector(".pp-score:has-text('2 of 2 correct (100%)')")
    assert "You answered every question correctly." in page.locator(".pp-attempts").inner_text()
    assert page.locator(".pp-correct").count() == 2 and page.locator("button[type=submit]").count() == 0
    skills = page.locator(".pp-skills tbody tr").all_inner_texts()
    assert [" ".join(row.split()) for row in skills] == ["comparing 1 of 1", "fractions 1 of 1"]
    if sized_page.width < 500:
        overflow = page.evaluate(
            "document.querySelector('.pp-root').scrollWidth - document.querySelector('.pp-root').clientWidth")
        assert overflow <= 0, f"the block is wider than a {sized_page.width}px screen by {overflow}px"
    sized_page.axe("passed")
    sized_page.screenshot("passed")


def test_keyboard_only_until_out_of_attempts(workbench, browser_page):
    page = browser_page.page
    page.goto(workbench.scenario(SCENARIO, "sc_keyboard"))
    page.wait_for_selector(".pp-form")
    # first try: 1/3 (arrow keys select within the radio group) and 1/4; both wrong
    page.locator(".pp-question input").first.focus()
    for key in ("ArrowDown", "Tab", "Tab", "Space", "Tab", "Tab", "Enter"):
        page.keyboard.press(key)
    page.wait_for_selector(".pp-attempts:has-text('1 attempt left')")
    assert page.evaluate("document.activeElement.textContent") == "Your result"
    # second try: the answers are still selected; add 2/3 to 1/4, which is still wrong
    page.locator(".pp-question input[type=checkbox]").first.focus()
    for key in ("Space", "Tab", "Tab", "Tab", "Enter"):
        page.keyboard.press(key)
    page.wait_for_selector(".pp-attempts:has-text('used all your attempts')")
    assert "You have used all your attempts." in page.locator(".pp-attempts").inner_text()
    assert page.locator("button[type=submit]").count() == 0
    assert page.locator("fieldset[disabled]").count() == 2
    browser_page.axe("out-of-attempts")
    browser_page.screenshot("out-of-attempts")
