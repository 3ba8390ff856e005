"""Adaptive skill check in Debian's Chromium: one question at a time, fewer questions for a strong learner."""
import json
import re
from importlib import resources

import pytest

pytestmark = pytest.mark.browser

SCENARIO = "personalized_skill_check.2"


def answer_key():
    text = resources.files("personalized_path").joinpath("scenarios/skill_check-2-adaptive.xml").read_text()
    questions = json.loads(re.search(r"questions='(.*)'", text, re.S).group(1).replace("&apos;", "'"))
    return {question["id"]: question["correct"][0] for question in questions}


def take_check(page, sized_page, right):
    """Answer every question right (or wrong) by keyboard; return how many were asked."""
    key = answer_key()
    page.get_by_role("button", name="Start").click()
    page.wait_for_selector(".pp-session-form")
    assert page.evaluate("document.activeElement.className") == "pp-session-heading"
    sized_page.axe("question")
    asked = 0
    while page.locator(".pp-session-form").count():
        fieldset = page.locator(".pp-session-form .pp-question")
        question = fieldset.get_attribute("data-question")
        # one question on screen, and no feedback of any choice before it is answered
        form_html = page.locator(".pp-session-form").inner_html()
        assert fieldset.count() == 1 and "Yes:" not in form_html and "Right" not in form_html
        choice = key[question] if right else next(value for value in ("b", "c") if value != key[question])
        fieldset.locator(f"input[value='{choice}']").focus()
        page.keyboard.press("Space")
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        asked += 1
        page.wait_for_selector(f".pp-last-answer:has-text('{'was correct' if right else 'not quite right'}')")
        page.wait_for_function("!document.querySelector('.pp-session-form') || document.querySelector("
                               f"'.pp-session-form .pp-question').dataset.question !== '{question}'")
        if asked == 1:
            sized_page.axe("feedback")
    return asked


def test_a_strong_learner_is_asked_fewer_questions_than_a_weak_one(workbench, sized_page, new_context):
    page = sized_page.page
    page.goto(workbench.scenario(SCENARIO, f"adaptive_strong_{sized_page.width}"))
    page.wait_for_selector(".pp-skill-check .pp-start")
    assert "after at most 10 questions" in page.locator(".pp-mode-help").inner_text()
    sized_page.axe("start")
    strong = take_check(page, sized_page, right=True)
    assert page.locator(".pp-start").inner_text() == "Start again"
    sized_page.screenshot("strong-done")
    if sized_page.width < 500:
        overflow = page.evaluate(
            "document.querySelector('.pp-root').scrollWidth - document.querySelector('.pp-root').clientWidth")
        assert overflow <= 0, f"the block is wider than a {sized_page.width}px screen by {overflow}px"

    weak_page = new_context({"width": sized_page.width, "height": 800}).new_page()
    weak_page.goto(workbench.scenario(SCENARIO, f"adaptive_weak_{sized_page.width}"))
    weak_page.wait_for_selector(".pp-skill-check .pp-start")

    class Weak:  # axe on the second learner's page too
        @staticmethod
        def axe(state):
            sized_page.page, saved = weak_page, sized_page.page
            try:
                sized_page.axe(state)
            finally:
                sized_page.page = saved
    weak = take_check(weak_page, Weak, right=False)
    assert (strong, weak) == (6, 10)
    assert "Start again" in weak_page.locator(".pp-start").inner_text()
