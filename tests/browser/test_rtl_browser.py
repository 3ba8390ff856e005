"""Arabic, right to left: the demo unit in Chromium under dir=rtl, at desktop width and at 375 px, axe-clean."""
import os
from datetime import date, timedelta

import pytest

from tests.harness import ROOT

pytestmark = pytest.mark.browser

UNIT = "personalized_self_assessment.0"
BLOCKS = [".pp-self-assessment", ".pp-skill-check", ".pp-mastery-gate", ".pp-choice-board", ".pp-goal-reflection"]


def box(page, selector):
    return page.locator(selector).first.bounding_box()


def test_the_demo_unit_in_arabic_is_laid_out_right_to_left(workbench, sized_page):
    page = sized_page.page
    page.goto(workbench.scenario(UNIT, f"rtl_{sized_page.width}") + "&lang=ar")
    page.wait_for_selector(".pp-choice-board .pp-board")
    assert page.evaluate("document.documentElement.dir") == "rtl"
    assert page.evaluate("document.documentElement.lang") == "ar"
    # Arabic throughout: buttons, rule text, defaults from the catalog.
    assert page.get_by_role("button", name="أرسل التقييمات").count() == 1
    assert page.get_by_role("button", name="أرسل الإجابات").count() == 1
    assert "اختر صفًا أو عمودًا أو قطرًا كاملًا يمر بالبطاقة الوسطى." in page.locator(".pp-choice-board").inner_text()
    # Plural forms follow Arabic's six-form rule (3 takes the "few" form).
    assert "لديك 3 محاولات." in page.locator(".pp-skill-check").inner_text()
    for selector in BLOCKS:
        assert page.evaluate(f"getComputedStyle(document.querySelector('{selector}')).direction") == "rtl"

    # Right to left: the first scale level sits right of the second; text starts at the right edge.
    first, second = (page.locator(".pp-statement").first.locator(".pp-level").nth(index).bounding_box()
                     for index in (0, 1))
    if sized_page.width > 500:
        assert first["x"] > second["x"]
        first_tile, second_tile = (page.locator(".pp-choice-board .pp-tile").nth(index).bounding_box()
                                   for index in (0, 1))
        assert first_tile["x"] > second_tile["x"]  # the grid's first column is on the right
    else:
        assert first["y"] < second["y"]  # stacked on a phone
    title = box(page, ".pp-self-assessment .pp-title")
    root = box(page, ".pp-self-assessment")
    assert abs((title["x"] + title["width"]) - (root["x"] + root["width"])) < 2
    # The lock card's accent border is on its right (inline-start) edge.
    card = ".pp-mastery-gate .pp-gate-condition"
    assert page.evaluate(f"getComputedStyle(document.querySelector('{card}')).borderRightWidth") == "6px"
    assert page.evaluate(f"getComputedStyle(document.querySelector('{card}')).borderLeftWidth") == "1px"

    if sized_page.width < 500:
        for selector in BLOCKS:  # each block fits the screen (the workbench's own page is not ours)
            overflow = page.evaluate(f"(() => {{ const r = document.querySelector('{selector}'); "
                                     "return r.scrollWidth - r.clientWidth; })()")
            assert overflow <= 0, f"{selector} is wider than a {sized_page.width}px screen by {overflow}px"
            edges = box(page, selector)
            assert edges["x"] >= -1 and edges["x"] + edges["width"] <= sized_page.width + 1, (selector, edges)
    for selector in BLOCKS:
        sized_page.axe(f"rtl {selector}", selector)
    sized_page.screenshot("rtl")

    # A learner error in Arabic sits by its field, also right to left.
    page.locator(".pp-self-assessment").get_by_role("button", name="أرسل التقييمات").click()
    message = page.locator(".pp-self-assessment .pp-field-error").first
    message.wait_for()
    assert message.inner_text() == "قيّم كل العبارات قبل الإرسال."
    sized_page.axe("rtl error", ".pp-self-assessment")


def test_the_studio_editors_in_arabic_are_laid_out_right_to_left(workbench, sized_page):
    page = sized_page.page
    student = f"staff_rtl_editor_{sized_page.width}"
    page.goto(workbench.scenario(UNIT, student) + "&lang=ar")  # the workbench builds its scenarios on a first page
    page.goto(workbench.scenario(UNIT, student, view="studio_view") + "&lang=ar")
    page.wait_for_function("[...document.querySelectorAll('.pp-editor')].length === 6 && "
                           "[...document.querySelectorAll('.pp-editor')].every(e => e.dataset.catalog === 'ready')")
    assert page.evaluate("document.documentElement.dir") == "rtl"
    gate = page.locator(".xblock-v1[data-block-type=personalized_mastery_gate] .pp-editor")
    for index in range(gate.locator("details.pp-fold").count()):  # the gate's folded sections, opened
        gate.locator("details.pp-fold summary").nth(index).click()
    assert gate.get_by_role("button", name="احفظ").count() == 1
    assert gate.get_by_role("button", name="أضف مصدر درجات").count() == 1
    assert page.evaluate("getComputedStyle(document.querySelector('.pp-editor')).direction") == "rtl"
    # Author text keeps its own direction inside the right-to-left form.
    lock_message = gate.locator("textarea").first
    lock_message.fill("Score 60% on the check first.")
    assert lock_message.evaluate("e => getComputedStyle(e).direction") == "ltr"
    lock_message.fill("احصل على 60% في الاختبار أولًا.")
    assert lock_message.evaluate("e => getComputedStyle(e).direction") == "rtl"
    # A row's fields start at the right edge of the row.
    field = box(page, ".pp-editor .pp-row input")
    row = box(page, ".pp-editor .pp-row")
    assert abs((field["x"] + field["width"]) - (row["x"] + row["width"])) < 40
    overflow = page.evaluate("Math.max(...[...document.querySelectorAll('.pp-editor')].map("
                             "e => e.scrollWidth - e.clientWidth))")
    assert overflow <= 0
    sized_page.axe("rtl editors", ".pp-editor")
    # Chromium cannot capture a page this tall: leave only the gate's editor on it for the picture.
    page.evaluate("document.querySelectorAll('.pp-editor').forEach(e => { "
                  "if (!e.closest('[data-block-type=personalized_mastery_gate]')) e.hidden = true; })")
    sized_page.screenshot("rtl-gate-editor", ".xblock-v1[data-block-type=personalized_mastery_gate] .pp-editor")


# --- axe on every state: learner, staff and editor, at 1280 and 375 px, left to right and right to left --

SCENARIO_FILES = os.path.join(ROOT, "personalized_path", "scenarios")
SCENARIOS = sorted(f"personalized_{name.split('-')[0]}.{name.split('-')[1]}"
                   for name in os.listdir(SCENARIO_FILES) if name.endswith(".xml"))
# Our blocks' own markup, each block's staff tools and each editor: the workbench's page has violations of its own.
OURS = [[".pp-root"], [".pp-editor"]]
LEARNER_DONE = "axe_learner_done"


def act_as_a_learner_who_did_everything(page, workbench):
    """The demo unit after a learner used each block: ratings, answers, a board plan, goals, a check-in."""
    page.goto(workbench.scenario(UNIT, LEARNER_DONE))
    sa = page.locator(".pp-self-assessment")
    for index in range(sa.locator(".pp-statement").count()):
        sa.locator(".pp-statement").nth(index).locator("input[type=radio]").nth(1).check()
    sa.get_by_role("button", name="Submit ratings").click()
    page.wait_for_selector(".pp-self-assessment .pp-profile")
    check = page.locator(".pp-skill-check")
    for index in range(check.locator(".pp-question").count()):
        check.locator(".pp-question").nth(index).locator("input").first.check()
    check.get_by_role("button", name="Submit answers").click()
    page.wait_for_selector(".pp-skill-check .pp-summary")
    board = page.locator(".pp-choice-board")
    for index in range(3):
        board.locator(".pp-choose").nth(index).click()
        board.locator(".pp-choose[aria-pressed=true]").nth(index).wait_for()
    goals = page.locator(".pp-goal-reflection")
    for index in range(goals.locator(".pp-goals-form textarea").count()):
        goals.locator(".pp-goals-form textarea").nth(index).fill("Finish the worksheet.")
    soon = (date.today() + timedelta(days=14)).isoformat()
    for index in range(goals.locator(".pp-goals-form input[type=date]").count()):
        goals.locator(".pp-goals-form input[type=date]").nth(index).fill(soon)
    goals.locator(".pp-goals-form button[type=submit]").click()
    page.wait_for_selector(".pp-goal-reflection .pp-current")


def axe_violations(page, state):
    from axe_playwright_python.sync_playwright import Axe  # pylint: disable=import-outside-toplevel
    results = Axe().run(page, context={"include": OURS})
    return [f"{state}: {violation['id']} ({len(violation['nodes'])} nodes) "
            + "; ".join(node["target"][0] for node in violation["nodes"][:3])
            for violation in results.response["violations"]]


def test_every_learner_staff_and_editor_state_is_axe_clean_both_ways_and_at_both_widths(workbench, chromium):
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    context.set_default_timeout(20000)
    act_as_a_learner_who_did_everything(context.new_page(), workbench)
    context.close()
    states = ([(scenario, "axe_learner_new", "") for scenario in SCENARIOS]
              + [(UNIT, LEARNER_DONE, ""), (UNIT, "axe_learner_error", "error")]
              + [(scenario, "staff_axe", "") for scenario in SCENARIOS]
              + [(UNIT, "staff_axe", "studio_view"), ("personalized_mastery_gate.5", "staff_axe", "studio_view"),
                 ("personalized_mastery_gate.6", "staff_axe", "studio_view")])
    found = []
    for width in (1280, 375):
        for language in ("en", "ar"):
            context = chromium.new_context(viewport={"width": width, "height": 900}, locale="en-US")
            context.set_default_timeout(20000)
            page = context.new_page()
            errors = []
            page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
            for scenario, student, view in states:
                state = f"{scenario} {student} {view} {width}px {language}"
                page.goto(workbench.scenario(scenario, student, view="studio_view" if view == "studio_view" else "")
                          + f"&lang={language}")
                page.wait_for_load_state("networkidle")
                if view == "studio_view":
                    page.wait_for_function("[...document.querySelectorAll('.pp-editor')]"
                                           ".every(e => e.dataset.catalog === 'ready')")
                if view == "error":  # a learner's error beside its field
                    page.locator(".pp-self-assessment button[type=submit]").click()
                    page.locator(".pp-self-assessment .pp-field-error").first.wait_for()
                assert page.evaluate("document.documentElement.dir") == ("rtl" if language == "ar" else "ltr")
                found += axe_violations(page, state)
            found += [f"{width}px {language}: JavaScript error {error}" for error in errors]
            context.close()
    assert not found, "\n".join(found)


# --- author and learner text keep their own direction ------------------------------------------------

RLO = "\u202e"
ISOLATED_OR_NOT = """() => {
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const text = walker.currentNode;
    if (!text.data.includes("\\u202e")) continue;
    let box = text.parentElement;
    while (box && !["isolate", "plaintext", "isolate-override"].includes(getComputedStyle(box).unicodeBidi)) {
      box = box.parentElement;
    }
    found.push({isolated: Boolean(box), alone: Boolean(box) && box.textContent.trim() === text.data.trim(),
                where: (box || text.parentElement).outerHTML.slice(0, 160)});
  }
  return found;
}"""


def last_and_first_letter_x(locator):
    """Where the first and the last character of an element's text are drawn (x of each)."""
    return locator.evaluate("""e => { const range = document.createRange(); const text = e.firstChild;
      range.setStart(text, 0); range.setEnd(text, 1); const first = range.getBoundingClientRect().x;
      range.setStart(text, text.length - 1); range.setEnd(text, text.length);
      return [first, range.getBoundingClientRect().x]; }""")


def test_learner_and_author_text_keep_their_direction_in_an_arabic_course(workbench, sized_page):
    page = sized_page.page
    student = f"rtl_text_{sized_page.width}"
    page.goto(workbench.scenario(UNIT, student) + "&lang=ar")
    goals = page.locator(".pp-goal-reflection")
    texts = goals.locator(".pp-goals-form textarea")
    texts.nth(0).fill("Finish the worksheet.")
    for index in range(1, texts.count()):
        texts.nth(index).fill(f"{RLO}Practise ten sums")  # a control character that reverses what follows
    soon = (date.today() + timedelta(days=14)).isoformat()
    for index in range(goals.locator(".pp-goals-form input[type=date]").count()):
        goals.locator(".pp-goals-form input[type=date]").nth(index).fill(soon)
    goals.locator(".pp-goals-form button[type=submit]").click()
    page.wait_for_selector(".pp-goal-reflection .pp-current")

    # English on an Arabic page reads left to right, its full stop at the end (the right), not ".above".
    english = goals.locator(".pp-goal-text").first
    assert english.evaluate("e => getComputedStyle(e).direction") == "ltr"
    first, last = last_and_first_letter_x(english)
    assert last > first
    title = page.locator(".pp-mastery-gate .pp-title")  # an author's English title
    assert title.evaluate("e => getComputedStyle(e).direction") == "ltr"
    assert page.evaluate("document.documentElement.dir") == "rtl"
    # Every place the learner's control character appears is isolated, with nothing but the learner's text.
    found = page.evaluate(ISOLATED_OR_NOT)
    assert found and all(place["isolated"] and place["alone"] for place in found), found
    sized_page.screenshot("learner-text-direction", ".pp-goal-reflection")
