"""Arabic, right to left: the demo unit in Chromium under dir=rtl, at desktop width and at 375 px, axe-clean."""
import pytest

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
