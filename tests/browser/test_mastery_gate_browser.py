"""The mastery gate in Debian's Chromium against a real workbench: unlock without reload, routes, errors, staff."""
import pytest

pytestmark = pytest.mark.browser

UNLOCK = "personalized_mastery_gate.0"
ROUTES = "personalized_mastery_gate.1"
PROBLEMS = "personalized_mastery_gate.2"
GATE = ".pp-mastery-gate"


def answer(page, choices, button):
    for index, label in enumerate(choices):
        page.locator(".pp-skill-check .pp-question").nth(index).get_by_label(label, exact=True).check()
    page.get_by_role("button", name=button).click()


def check_again(page):
    page.locator(f"{GATE} .pp-gate-check").click()


def gate_status(page):
    return page.locator(f"{GATE} > .pp-status")


def test_fail_retry_pass_and_unlock_without_reload(workbench, sized_page):
    page = sized_page.page
    page.goto(workbench.scenario(UNLOCK, f"gate_flow_{sized_page.width}"))
    page.wait_for_selector(f"{GATE}[data-state=locked]")
    card = page.locator(".pp-gate-lock")
    assert "Score at least 80% on “Fractions warm-up”." in card.inner_text()
    assert "Not attempted yet" in card.locator(".pp-gate-current").inner_text()
    assert card.locator(".pp-gate-attempts").inner_text() == "3"
    assert page.locator(".lesson-text").count() == 0
    sized_page.axe("locked", GATE)
    page.evaluate("window.__gateNoReload = true")

    # Fail: one of two right (50%). The gate re-checks by itself once the check is submitted: it
    # stays locked, shows the new values and says why it changed; focus stays in the skill check.
    answer(page, ["1/3", "2/3"], "Submit answers")
    page.wait_for_selector(".pp-skill-check .pp-summary")
    page.wait_for_selector(f"{GATE} .pp-gate-current:has-text('50%')")
    page.wait_for_function(f"document.querySelector('{GATE} > .pp-status').textContent.length > 20")
    assert gate_status(page).inner_text() == ("Checked again after your work in “Fractions warm-up”: not unlocked "
                                              "yet. Your current values are updated below.")
    assert gate_status(page).get_attribute("aria-live") == "polite"
    assert page.locator(f"{GATE} .pp-gate-attempts").inner_text() == "2"
    assert page.evaluate("!!document.activeElement.closest('.pp-skill-check')")
    assert page.locator(".lesson-text").count() == 0
    sized_page.axe("locked-after-try", GATE)
    sized_page.screenshot("locked")
    # "Check again" still works by hand, and keeps focus on itself.
    check_again(page)
    page.wait_for_function(f"document.querySelector('{GATE} > .pp-status').textContent.startsWith('Not yet')")
    assert page.evaluate("document.activeElement.className").endswith("pp-gate-check")

    # Retry and pass: the gate re-checks by itself and reveals the lesson in place.
    answer(page, ["2/4", "2/3"], "Submit again")
    page.wait_for_selector(".pp-skill-check .pp-score:has-text('100%')")
    page.wait_for_selector(f"{GATE}[data-state=unlocked] .lesson-text")
    assert page.evaluate("window.__gateNoReload") is True, "the page was reloaded"
    page.wait_for_function(f"document.querySelector('{GATE} > .pp-status').textContent.includes('unlocked.')")
    assert gate_status(page).inner_text() == ("Checked again after your work in “Fractions warm-up”: unlocked. "
                                              "The content is shown below.")
    assert page.evaluate("!!document.activeElement.closest('.pp-skill-check')")
    assert page.locator(".pp-gate-lock").count() == 0

    # The child swapped in is alive: its script and styles were loaded and it was initialised.
    child = page.locator(f"{GATE} .pp-self-assessment")
    child.get_by_label("On my own", exact=True).check()
    child.get_by_role("button", name="Submit ratings").click()
    page.wait_for_selector(f"{GATE} .pp-self-assessment .pp-status:has-text('Your ratings are saved.')")
    assert page.evaluate("window.__gateNoReload") is True
    if sized_page.width < 500:
        overflow = page.evaluate(
            f"document.querySelector('{GATE}').scrollWidth - document.querySelector('{GATE}').clientWidth")
        assert overflow <= 0, f"the gate is wider than a {sized_page.width}px screen by {overflow}px"
    sized_page.axe("unlocked", GATE)
    sized_page.screenshot("unlocked")

    # A fresh visit renders the unlocked gate straight away.
    page.reload()
    page.wait_for_selector(f"{GATE}[data-state=unlocked] .lesson-text")


@pytest.mark.parametrize("student,choices,route,shown", [
    ("gate_remedial", ["2/8", "2/5", "2/2"], "remedial", "Review: what a denominator is"),
    ("gate_advanced", ["1/2", "5/6", "7/12"], "advanced", "Stretch: adding mixed numbers"),
])
def test_learners_are_routed_by_score(workbench, browser_page, student, choices, route, shown):
    page = browser_page.page
    page.goto(workbench.scenario(ROUTES, student))
    page.wait_for_selector(f"{GATE}[data-state=locked]")
    answer(page, choices, "Submit answers")
    page.wait_for_selector(".pp-skill-check .pp-summary")
    page.wait_for_selector(f"{GATE}[data-state=unlocked] .route-everyone")  # re-checked by itself
    assert page.locator(f"{GATE} .pp-gate-route").get_attribute("data-route") == route
    assert shown in page.locator(f"{GATE} .pp-gate-children").inner_text()
    for other in {"remedial", "core", "advanced"} - {route}:
        assert page.locator(f".route-{other}").count() == 0
    browser_page.axe(f"routed-{route}", GATE)
    browser_page.screenshot(route)


def test_unreadable_sources_network_error_and_staff_view(workbench, sized_page):
    page = sized_page.page
    page.goto(workbench.scenario(PROBLEMS, f"gate_problems_{sized_page.width}"))
    page.wait_for_selector(f"{GATE}[data-state=locked]")
    problems = page.locator(f"{GATE} .pp-gate-problem").all_inner_texts()
    assert len(problems) == 2 and all("counts as not met" in text for text in problems)
    assert page.locator(".hidden-content").count() == 0
    sized_page.axe("source-errors", GATE)

    page.route("**/check_again/**", lambda route: route.abort())
    check_again(page)
    page.wait_for_selector(f"{GATE} > .pp-error:has-text('could not be reached')")
    assert not page.locator(f"{GATE} .pp-gate-check").is_disabled()
    # Disabling the button while the request was out took focus from it; the failure gives it back.
    assert page.evaluate("document.activeElement.className").endswith("pp-gate-check")
    sized_page.axe("network-error", GATE)
    sized_page.screenshot("error")
    page.unroute("**/check_again/**")

    page.goto(workbench.scenario(PROBLEMS, f"staff_gate_{sized_page.width}"))
    page.wait_for_selector(f"{GATE}[data-state=staff] .hidden-content")
    assert "Course staff view" in page.locator(".pp-gate-banner").inner_text()
    sized_page.axe("staff", GATE)


def test_the_lock_card_follows_the_title_and_shared_files_load_once(workbench, browser_page):
    page = browser_page.page
    requested = []
    page.on("request", lambda request: "/resource/" in request.url and requested.append(request.url))
    page.goto(workbench.scenario("personalized_self_assessment.0", "layout_once"))  # six block types
    page.wait_for_selector(f"{GATE}[data-state=locked]")
    # Empty status and alert lines take no room: the card sits right under the title (it was ~70 px).
    title = page.locator(f"{GATE} > .pp-title").bounding_box()
    card = page.locator(f"{GATE} .pp-gate-lock").bounding_box()
    assert card["y"] - (title["y"] + title["height"]) < 24
    assert page.locator(f"{GATE} > .pp-status").evaluate("e => e.getBoundingClientRect().height") == 0
    page.locator(f"{GATE} .pp-gate-check").click()
    page.wait_for_function(f"document.querySelector('{GATE} > .pp-status').textContent !== ''")
    assert page.locator(f"{GATE} > .pp-status").evaluate("e => e.getBoundingClientRect().height") > 0
    # The shared script and styles come once for the page, each block's own once each.
    for shared in ("js/personalized.js", "css/personalized.css"):
        assert len([url for url in requested if url.endswith(shared)]) == 1, requested
    assert len([url for url in requested if url.endswith(".js")]) == 7, requested
