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


def answer_session(page, choose):
    """Answer the session's questions one by one with ``choose(question id)``; return the ids asked."""
    asked = []
    while page.locator(".pp-session-form").count():
        question = page.locator(".pp-session-form .pp-question").get_attribute("data-question")
        page.locator(f".pp-session-form input[value='{choose(question)}']").check()
        page.locator(".pp-session-form button[type=submit]").click()
        asked.append(question)
        page.wait_for_function("!document.querySelector('.pp-session-form') || document.querySelector("
                               f"'.pp-session-form .pp-question').dataset.question !== '{question}'")
    return asked


def test_a_gate_relocks_a_faded_skill_and_the_recheck_opens_it_again(workbench, browser_page):
    page = browser_page.page
    page.goto(workbench.scenario("personalized_mastery_gate.3", "refresh_learner"))
    practice, gate, recheck = (page.locator(".pp-skill-check").nth(0), page.locator(".pp-mastery-gate"),
                               page.locator(".pp-skill-check").nth(1))
    page.wait_for_selector(".pp-mastery-gate[data-state=locked]")
    assert "There is nothing to re-check yet" in recheck.inner_text()
    for question in practice.locator(".pp-question").all():
        question.locator("input[value='a']").check()
    practice.get_by_role("button", name="Submit answers").click()
    page.wait_for_selector(".pp-skill-check .pp-summary")
    # The gate reads the practice check, so it re-checks by itself (pressing "Check again" now would race it).
    page.wait_for_selector(".pp-mastery-gate[data-state=unlocked] .lesson-text")

    # Thirty days pass (the workbench clock moves on; nothing waits).
    page.context.add_cookies([{"name": "pp_days_later", "value": "30", "url": workbench.url}])
    page.reload()
    page.wait_for_selector(".pp-mastery-gate[data-state=locked] .pp-gate-refresh")
    refresh = gate.locator(".pp-gate-refresh").inner_text()
    assert "some time has passed" in refresh and "take the re-check “Quick re-check”" in refresh
    assert ".lesson-text" not in gate.inner_html() and "5/12 cup" not in gate.inner_html()
    browser_page.axe("refresh card")
    browser_page.screenshot("refresh-card")

    rechecks = []
    page.on("request", lambda request: rechecks.append(request.url) if "/check_again" in request.url else None)
    recheck.get_by_role("button", name="Start the re-check").click()
    page.wait_for_selector(".pp-session-form")
    assert len(answer_session(page, lambda _: "a")) == 2
    # The gate reads its re-check, so it re-checks by itself once the re-check is over (not per answer).
    page.wait_for_selector(".pp-mastery-gate[data-state=unlocked] .lesson-text")
    assert len(rechecks) == 1, rechecks
    browser_page.axe("refreshed")
    # The next re-check waits for the author's interval.
    assert "Your next re-check opens on" in recheck.inner_text()


def test_a_placement_check_lets_a_learner_test_out(workbench, browser_page):
    page = browser_page.page
    page.goto(workbench.scenario("personalized_mastery_gate.4", "placement_learner"))
    gate = page.locator(".pp-mastery-gate")
    page.wait_for_selector(".pp-mastery-gate[data-state=locked]")
    page.get_by_role("button", name="Start").click()
    page.wait_for_selector(".pp-session-form")
    browser_page.axe("placement question")
    asked = answer_session(page, lambda question: "a" if question.startswith("cmp") else "b")
    # A placement asks at least 8 questions per skill (issue 21): here each skill's whole pool, 4 + 4.
    assert len(asked) == 8 and {question.split("-")[0] for question in asked} == {"cmp", "add"}
    rows = [" ".join(row.split()) for row in page.locator(".pp-placement tbody tr").all_inner_texts()]
    assert any(row.startswith("adding") and row.endswith("To learn") for row in rows)
    assert any(row.startswith("comparing") and row.endswith("Already known: counts as met") for row in rows)
    browser_page.axe("placement result")
    browser_page.screenshot("placement-result")
    # The gate on the page re-checked by itself after the last answer.
    page.wait_for_selector(".pp-mastery-gate[data-state=unlocked] .lesson-text")
