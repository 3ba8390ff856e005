"""Course staff tools in Chromium: preview a gate as a learner, look up a learner, class summary and its
recount; keyboard and axe."""
import pytest

pytestmark = pytest.mark.browser

UNIT = "personalized_self_assessment.0"
GATE_TOOLS = ".pp-mastery-gate + .pp-staff-tools"
SA_TOOLS = ".pp-self-assessment + .pp-staff-tools"


def test_staff_preview_the_gate_and_look_up_a_learner(workbench, sized_page, new_context):
    # A learner rates herself first (her own browser).
    learner = new_context().new_page()
    learner.goto(workbench.scenario(UNIT, f"lookup_ana_{sized_page.width}"))
    for index, label in enumerate(["Not yet", "With help", "On my own"]):
        learner.locator(".pp-statement").nth(index).get_by_label(label, exact=True).check()
    learner.get_by_role("button", name="Submit ratings").click()
    learner.wait_for_selector(".pp-self-assessment .pp-profile")

    page = sized_page.page
    page.goto(workbench.scenario(UNIT, f"staff_tools_{sized_page.width}"))
    page.wait_for_selector(GATE_TOOLS)
    tools = page.locator(GATE_TOOLS)
    assert "Course staff tools" in tools.inner_text()
    sized_page.axe("closed", GATE_TOOLS)

    # Keyboard only: open the preview, type a score, submit with Enter.
    summary = tools.locator("summary")
    summary.focus()
    page.keyboard.press("Enter")
    score = tools.get_by_label("Score on “Fractions check” (percent)")
    score.focus()
    page.keyboard.type("90")
    page.keyboard.press("Enter")
    output = tools.locator(".pp-preview-output")
    output.locator(".pp-gate-route").wait_for()
    assert "Your path: Stretch yourself (your score: 90%)." in output.inner_text()
    assert "Stretch yourself: add 1 2/3" not in output.inner_text()  # names only, no child content
    assert output.get_attribute("inert") is not None
    assert "The preview is shown below the form." in tools.locator(".pp-staff-status").inner_text()
    sized_page.axe("preview unlocked", GATE_TOOLS)
    score.fill("30")
    tools.get_by_role("button", name="Show the preview").click()
    output.locator(".pp-gate-lock").wait_for()
    assert "30%" in output.locator(".pp-gate-current").inner_text()
    sized_page.axe("preview locked", GATE_TOOLS)
    # The staff member's own view of the gate is untouched: still every child, no lock card.
    assert page.locator(".pp-mastery-gate[data-state=staff] .pp-gate-lock").count() == 0
    # A value out of range is refused beside its field.
    score.fill("150")
    tools.get_by_role("button", name="Show the preview").click()
    tools.locator(".pp-field-error").wait_for()
    assert score.get_attribute("aria-invalid") == "true"
    sized_page.screenshot("preview")

    # Class summary and a learner's answers under the self-assessment.
    sa_tools = page.locator(SA_TOOLS)
    assert "Class summary" in sa_tools.inner_text()
    lookup = sa_tools.get_by_label("Look up one learner's answers by username")
    lookup.fill(f"lookup_ana_{sized_page.width}")
    lookup.press("Enter")
    result = sa_tools.locator(".pp-lookup-output .pp-lookup-rows")
    result.wait_for()
    assert "On my own" in result.inner_text() and "With help" in result.inner_text()
    sized_page.axe("lookup", SA_TOOLS)
    lookup.fill("")
    sa_tools.get_by_role("button", name="Look up").click()
    sa_tools.locator(".pp-field-error").wait_for()
    assert lookup.get_attribute("aria-invalid") == "true"
    sized_page.axe("lookup error", SA_TOOLS)
    sized_page.screenshot("lookup")

    # Recount the class summary from the learners' records (keyboard only), and the new summary shows.
    recount = sa_tools.get_by_role("button", name="Recount now")
    recount.focus()
    page.keyboard.press("Enter")
    status = sa_tools.locator(".pp-staff-status")
    page.wait_for_function("element => element.textContent.startsWith('Recounted from the records of')",
                           arg=status.element_handle())
    assert "Class summary" in sa_tools.locator(".pp-summary-part").inner_text()
    sized_page.axe("recounted", SA_TOOLS)


def test_learners_get_no_staff_tools(workbench, browser_page):
    page = browser_page.page
    page.goto(workbench.scenario(UNIT, "no_tools"))
    page.wait_for_selector(".pp-choice-board .pp-board")
    assert page.locator(".pp-staff-tools").count() == 0
