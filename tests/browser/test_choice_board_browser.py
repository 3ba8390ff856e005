"""The choice board in Debian's Chromium against a real workbench: two boards played to complete, axe, 375 px."""
import pytest

pytestmark = pytest.mark.browser

TIC_TAC_TOE = "personalized_choice_board.0"
POINTS = "personalized_choice_board.1"
BOARD = ".pp-choice-board"


def tile(page, tile_id):
    return page.locator(f'{BOARD} .pp-tile[data-tile="{tile_id}"]')


def choose_button(page, tile_id):
    return page.locator(f'{BOARD} .pp-choose[data-tile="{tile_id}"]')


def click_choose(page, tile_id, pressed="true"):
    choose_button(page, tile_id).click()
    page.wait_for_selector(f'{BOARD} .pp-choose[data-tile="{tile_id}"][aria-pressed="{pressed}"]')


def progress(page):
    return page.locator(f"{BOARD} .pp-progress-list").inner_text()


def mark_done(page, tile_id, note="", link=""):
    form = page.locator(f'{BOARD} .pp-done-form[data-tile="{tile_id}"]')
    form.locator("textarea").fill(note)
    form.locator("input[type=url]").fill(link)
    form.get_by_role("button").click()
    page.wait_for_selector(f'{BOARD} .pp-plan-item[data-tile="{tile_id}"] .pp-done-when')


def assert_fits(sized_page):
    if sized_page.width < 500:
        overflow = sized_page.page.evaluate(
            f"(() => {{ const r = document.querySelector('{BOARD}'); return r.scrollWidth - r.clientWidth; }})()")
        assert overflow <= 0, f"the board is wider than a {sized_page.width}px screen by {overflow}px"
        # No word is broken across lines: every word of every tile lays out in a single box.
        broken = sized_page.page.evaluate(WORDS_BROKEN_ACROSS_LINES, f"{BOARD} .pp-tile")
        assert not broken, f"words broken mid-word at {sized_page.width}px: {broken}"


WORDS_BROKEN_ACROSS_LINES = r"""(selector) => {
  const broken = [];
  document.querySelectorAll(selector).forEach((tile) => {
    const walker = document.createTreeWalker(tile, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.parentElement.offsetParent) { continue; }  // hidden text (screen-reader only)
      const pattern = /\S+/g;
      let match;
      while ((match = pattern.exec(node.data))) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const tops = new Set(Array.from(range.getClientRects()).map((rect) => Math.round(rect.top)));
        if (tops.size > 1) { broken.push(match[0]); }
      }
    }
  });
  return broken;
}"""


def test_tic_tac_toe_with_a_suggestion_from_the_linked_self_assessment(workbench, sized_page):
    page = sized_page.page
    page.goto(workbench.scenario(TIC_TAC_TOE, f"cb_ttt_{sized_page.width}"))
    page.wait_for_selector(f"{BOARD} .pp-board")
    assert "Suggested for you" not in page.locator(BOARD).inner_text()
    # The must-do tile starts chosen, so the closest line already has it.
    assert "Your closest line still needs 2 more tiles" in progress(page)
    sized_page.axe("empty", BOARD)
    assert_fits(sized_page)

    # Rate yourself in the linked self-assessment: lowest on comparing fractions.
    for index, label in enumerate(["Not yet", "On my own", "Could teach it"]):
        page.locator(".pp-statement").nth(index).get_by_label(label, exact=True).check()
    page.get_by_role("button", name="Submit ratings").click()
    page.wait_for_selector(".pp-profile")
    # No reload: the board takes the new suggestions as soon as the ratings are saved, and says so.
    page.wait_for_selector(f"{BOARD} .pp-suggestions")
    assert page.locator(f"{BOARD} .pp-status").inner_text() == "Your suggestions on this board are updated."
    # Every tile tagged "fractions" is marked; the reason they share is said once, above the board.
    assert page.locator(f"{BOARD} .pp-tile.pp-suggested").count() == 4
    assert tile(page, "fraction-strips").locator(".pp-suggestion").inner_text() == "Suggested for you"
    assert page.locator(f"{BOARD} .pp-suggestions").inner_text() == (
        'Suggested for you (4 activities, marked below): You rated "I can compare two fractions with different '
        'denominators." as "Not yet".')
    assert page.locator(BOARD).inner_text().count("as \"Not yet\"") == 1
    sized_page.axe("suggested", BOARD)
    sized_page.screenshot("suggested")

    # Mouse for one tile, keyboard for the others; focus stays on the toggled button.
    click_choose(page, "recipe-project")
    assert "Your closest line still needs 1 more tile: Fraction game." in progress(page)
    choose_button(page, "fraction-game").focus()
    page.keyboard.press("Space")
    page.wait_for_selector(f'{BOARD} .pp-choose[data-tile="fraction-game"][aria-pressed="true"]')
    assert page.evaluate("document.activeElement.getAttribute('data-tile')") == "fraction-game"
    assert "You have a complete line." in progress(page)
    # The must-do centre can be put back; then the line needs it again.
    choose_button(page, "explain-to-peer").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector(f'{BOARD} .pp-choose[data-tile="explain-to-peer"][aria-pressed="false"]')
    assert "This line still needs the centre tile, Explain it to a peer." in progress(page)
    assert "This line still needs the centre tile" in page.locator(f"{BOARD} .pp-status").inner_text()
    sized_page.axe("choosing", BOARD)

    page.reload()  # midway: the choice is stored on the server
    page.wait_for_selector(f"{BOARD} .pp-board")
    assert choose_button(page, "recipe-project").get_attribute("aria-pressed") == "true"
    assert choose_button(page, "fraction-game").get_attribute("aria-pressed") == "true"
    assert choose_button(page, "explain-to-peer").get_attribute("aria-pressed") == "false"
    assert page.locator(f"{BOARD} .pp-commit").count() == 0

    choose_button(page, "explain-to-peer").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector(f"{BOARD} .pp-commit")
    assert "You have a complete line." in progress(page)
    page.locator(f"{BOARD} .pp-commit").click()
    page.wait_for_selector(f"{BOARD} .pp-plan")
    assert page.evaluate("document.activeElement.textContent") == "Your plan"
    sized_page.axe("committed", BOARD)
    sized_page.screenshot("committed")

    mark_done(page, "recipe-project", note="Doubled the pancake recipe: 3/4 cup became 1 1/2 cups.")
    # Neither a note nor a link: refused in the page, announced, focus on the note.
    page.locator(f'{BOARD} .pp-done-form[data-tile="explain-to-peer"]').get_by_role("button").click()
    assert page.locator(f'{BOARD} .pp-done-form[data-tile="explain-to-peer"] .pp-field-error').inner_text() \
        == "Add a short note or a link that shows what you did."
    assert page.evaluate("document.activeElement.getAttribute('data-field')") == "note"
    sized_page.axe("done-error", BOARD)
    mark_done(page, "explain-to-peer", link="https://forum.example.org/t/42")
    mark_done(page, "fraction-game", note="Scored 9/10")
    page.wait_for_selector(f"{BOARD} .pp-complete")
    assert "3 of 3 done." in page.locator(f"{BOARD} .pp-plan .pp-meta").inner_text()
    sized_page.axe("complete", BOARD)
    sized_page.screenshot("complete")
    assert_fits(sized_page)


def test_points_board_from_empty_to_complete(workbench, browser_page):
    page = browser_page.page
    page.goto(workbench.scenario(POINTS, "cb_points"))
    page.wait_for_selector(f"{BOARD} .pp-board")
    # The must-do tile starts chosen.
    assert "20 of 50 points." in progress(page)
    assert tile(page, "core-reading").locator(".pp-choose").get_attribute("aria-pressed") == "true"
    assert "Podcast <episode> 4" in tile(page, "podcast").inner_text()  # escaped, shown as typed

    click_choose(page, "lab")
    click_choose(page, "quiz")
    assert "60 of 50 points." in progress(page)  # may-do points capped at 40
    assert "Some points do not count" in progress(page)
    click_choose(page, "quiz", pressed="false")

    page.reload()
    page.wait_for_selector(f"{BOARD} .pp-commit")
    assert "50 of 50 points." in progress(page)
    browser_page.axe("ready", BOARD)

    # Commit in a second tab; the first tab's next change is refused and shows the current board.
    other = page.context.new_page()
    other.goto(workbench.scenario(POINTS, "cb_points"))
    other.locator(f"{BOARD} .pp-commit").click()
    other.wait_for_selector(f"{BOARD} .pp-plan")
    other.close()
    choose_button(page, "podcast").click()
    page.wait_for_selector(f"{BOARD} .pp-plan")
    assert "another tab" in page.locator(f"{BOARD} .pp-error").inner_text()
    assert choose_button(page, "podcast").get_attribute("aria-pressed") == "false"
    assert choose_button(page, "podcast").is_disabled()  # this author forbids changes once committed

    # A link that is not http(s) is refused by the server, with the reason shown.
    form = page.locator(f'{BOARD} .pp-done-form[data-tile="lab"]')
    form.locator("input[type=url]").fill("ftp://example.org/results")
    form.get_by_role("button").click()
    form.locator(".pp-field-error:has-text('http:// or https://')").wait_for()
    assert form.locator("input[type=url]").get_attribute("aria-invalid") == "true"
    browser_page.axe("server-error", BOARD)
    mark_done(page, "lab", link="https://example.org/results")
    mark_done(page, "core-reading", note="Summarised <all> four sections")
    page.wait_for_selector(f"{BOARD} .pp-complete")
    assert "Summarised <all> four sections" in page.locator(f"{BOARD} .pp-plan").inner_text()
    # One learner's choices are never shown to learners: counts wait for 5 learners. Staff see them.
    assert "appears once at least 5 learners have chosen" in page.locator(f"{BOARD} .pp-stats-wait").inner_text()
    browser_page.axe("complete", BOARD)
    browser_page.screenshot("complete")
    page.goto(workbench.scenario(POINTS, "staff_cb_points"))
    stats = page.locator(f'{BOARD} .pp-stats tr[data-tile="lab"]').inner_text()
    assert "100%" in stats
    browser_page.axe("staff", BOARD)
