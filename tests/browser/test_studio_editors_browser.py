"""
The Studio editors in Debian's Chromium against a real workbench: an author sets up a gate and a
board from empty without typing JSON, a learner uses them; the block picker across units; the
skill typo refused next to its field; axe in every editor state at desktop and 375 px.
"""
import pytest

pytestmark = pytest.mark.browser

BUILD = "personalized_mastery_gate.5"
COURSE = "personalized_mastery_gate.6"
KINDS = ("personalized_self_assessment", "personalized_skill_check", "personalized_mastery_gate",
         "personalized_choice_board", "personalized_goal_reflection", "personalized_learning_plan")


def editor_of(page, block_type):
    return page.locator(f".xblock-v1[data-block-type={block_type}] .pp-editor")


def open_editors(page, workbench, scenario, student):
    page.goto(workbench.scenario(scenario, student))  # the workbench loads its scenarios on a first page
    page.goto(workbench.scenario(scenario, student, view="studio_view"))
    page.wait_for_selector(".pp-editor")


def wait_ready(page, block_type):
    page.wait_for_selector(f".xblock-v1[data-block-type={block_type}] .pp-editor[data-catalog=ready]")
    open_sections(page.locator(f".xblock-v1[data-block-type={block_type}] .pp-editor"))


def open_sections(editor):
    """Unfold every section of an editor, as an author does, by its summary."""
    for index in range(editor.locator("details.pp-fold").count()):
        section = editor.locator("details.pp-fold").nth(index)
        if section.get_attribute("open") is None:
            section.locator("summary").click()


def save(page, editor):
    editor.locator(".save-button").click()
    page.wait_for_function("!location.pathname.includes('studio_view') || "
                           "document.querySelector('.pp-editor-summary:not(:empty)')")
    shown = editor.locator(".pp-editor-summary, .pp-field-error").all_inner_texts()
    assert "studio_view" not in page.url, [text for text in shown if text]
    page.wait_for_selector(".xblock-v1")


def clear_rows(editor, item):
    """Remove every row named "<item> n" (an earlier run may have saved some: settings are shared)."""
    while editor.get_by_role("button", name=f"Remove: {item} 1", exact=True).count():
        editor.get_by_role("button", name=f"Remove: {item} 1", exact=True).click()


def add_row(editor, button):
    editor.get_by_role("button", name=button, exact=True).click()


def test_author_builds_gate_and_board_from_empty_and_a_learner_uses_them(workbench, browser_page):
    page = browser_page.page
    open_editors(page, workbench, BUILD, "staff_author")
    gate = editor_of(page, "personalized_mastery_gate")
    page.wait_for_selector(".xblock-v1[data-block-type=personalized_mastery_gate] .pp-editor[data-catalog=ready]")
    # The gate's editor opens as a short list of folded sections; a summary opens by keyboard.
    assert gate.locator("details.pp-fold").all_inner_texts() == [
        "Scores to reach", "Skills to master", "Other blocks to complete", "Routes by score", "Keeping skills fresh"]
    assert gate.evaluate("e => e.getBoundingClientRect().height") < 1200
    browser_page.axe("gate editor, folded", ".pp-editor")
    gate.locator("details.pp-fold summary").first.focus()
    page.keyboard.press("Enter")
    assert gate.locator("details.pp-fold").first.get_attribute("open") is not None
    wait_ready(page, "personalized_mastery_gate")
    browser_page.axe("gate editor, empty", ".pp-editor")

    gate.get_by_label("Message on the lock card").fill("Score at least 60% on the fractions check to open the lesson.")
    add_row(gate, "Add a score source")
    source = gate.locator("fieldset.pp-row", has=page.locator("legend", has_text="Source 1"))
    source.get_by_label("Scored block").select_option(label="Fractions check")
    assert "Id for OLX:" in source.locator(".pp-block-id").inner_text()
    source.get_by_label("Score needed in percent (optional: the threshold below)").fill("60")
    for label, low, high in (("Practice", "0", "85"), ("Stretch yourself", "85", "100")):
        add_row(gate, "Add a route")
        route = gate.locator("fieldset.pp-row", has=page.locator("legend", has_text="Route")).last
        route.get_by_label("Name learners see").fill(label)
        route.get_by_label("From score (percent)").fill(low)
        route.get_by_label("Up to score (percent)").fill(high)
    # Children are named by what authors know them by (their text here), not by usage ids.
    labels = gate.locator(".pp-field label", has_text="Child ").all_inner_texts()
    assert labels[0] == "Child 1: Adding fractions To add 1/2 and 1/3, rewrite both over a co…", labels
    assert labels[1].startswith("Child 2: Practice: find a common denominator") and "html_demo" not in "".join(labels)
    gate.get_by_label("Child 2:", exact=False).select_option(label="Practice")
    gate.get_by_label("Child 3:", exact=False).select_option(label="Stretch yourself")
    browser_page.axe("gate editor, filled", ".pp-editor")
    browser_page.screenshot("gate-editor", ".xblock-v1[data-block-type=personalized_mastery_gate] .pp-editor")
    save(page, gate)

    open_editors(page, workbench, BUILD, "staff_author")
    board = editor_of(page, "personalized_choice_board")
    wait_ready(page, "personalized_choice_board")
    board.get_by_label("Layout").select_option(label="Grid")
    board.get_by_label("Grid rows").fill("3")
    board.get_by_label("Grid columns").fill("3")
    titles = ["Fraction strips video", "Number line practice", "Story problems", "Recipe project",
              "Explain it to a peer", "Fraction game", "Worked examples", "Comparison quiz", "Learning journal"]
    for number, title in enumerate(titles, start=1):
        add_row(board, "Add a tile")
        tile = board.locator("fieldset.pp-row", has=page.locator("legend", has_text=f"Tile {number}")).first
        tile.get_by_label("Title").fill(title)
        # A new tile has no kind until the author picks one (it used to become "Reading" silently).
        kind = tile.get_by_label("Kind of activity")
        assert kind.input_value() == "" and kind.locator("option:checked").inner_text() == "Choose a kind"
        if number > 1:
            kind.select_option(label="Practice")
    tile_one = board.locator("fieldset.pp-row", has=page.locator("legend", has_text="Tile 1")).first
    board.locator(".save-button").click()
    tile_one.locator(".pp-field-error:has-text('Choose the kind of activity.')").wait_for()
    tile_one.get_by_label("Kind of activity").select_option(label="Video")
    assert tile_one.locator(".pp-field-error:not(:empty)").count() == 0
    centre = board.locator("fieldset.pp-row", has=page.locator("legend", has_text="Tile 5")).first
    centre.get_by_label("Must do or may do").select_option(label="Must do")
    first = board.locator("fieldset.pp-row", has=page.locator("legend", has_text="Tile 1")).first
    first.get_by_role("button", name="Add a skill").click()
    first.get_by_label("Skill", exact=True).fill("fractions")
    assert "Used in this course." in first.inner_text()
    preview = board.locator(".pp-grid-preview li")
    assert preview.count() == 9 and preview.nth(4).inner_text() == "Explain it to a peer"
    board.get_by_label("Rule").select_option(label="Tic-tac-toe line")
    board.get_by_label("Tic-tac-toe: line must use the centre tile").check()
    assert not board.get_by_label("Points target").is_visible()
    board.get_by_label("Linked self-assessment").select_option(label="Where are you with fractions?")
    browser_page.axe("board editor, filled", ".pp-editor")
    browser_page.screenshot("board-editor", ".xblock-v1[data-block-type=personalized_choice_board] .pp-editor")
    save(page, board)

    # A learner: locked, passes the check, sees the stretch route; plays the board.
    page.goto(workbench.scenario(BUILD, "learner_built"))
    page.wait_for_selector(".pp-mastery-gate[data-state=locked]")
    assert "Score at least 60% on the fractions check" in page.locator(".pp-mastery-gate").inner_text()
    for index, label in enumerate(["2/4", "5/6"]):
        page.locator(".pp-skill-check .pp-question").nth(index).get_by_label(label, exact=True).check()
    page.get_by_role("button", name="Submit answers").click()
    page.wait_for_selector(".pp-skill-check .pp-summary")
    page.locator(".pp-mastery-gate .pp-gate-check").click()
    page.wait_for_selector(".pp-mastery-gate[data-state=unlocked]")
    children = page.locator(".pp-mastery-gate .pp-gate-children").inner_text()
    assert "Stretch yourself: add 1 2/3" in children and "Practice: find a common" not in children
    assert "Must do: chosen for you" in page.locator('.pp-choice-board .pp-tile[data-tile="tile-5"]').inner_text()
    for tile_id in ("tile-2", "tile-8"):
        page.locator(f'.pp-choice-board .pp-choose[data-tile="{tile_id}"]').click()
        page.wait_for_selector(f'.pp-choice-board .pp-choose[data-tile="{tile_id}"][aria-pressed="true"]')
    page.locator(".pp-choice-board .pp-commit").click()
    page.wait_for_selector(".pp-choice-board .pp-plan-item")
    assert "Explain it to a peer" in page.locator(".pp-choice-board .pp-plan").inner_text()


def test_picker_lists_blocks_across_units_and_refuses_a_skill_nothing_measures(workbench, sized_page):
    page = sized_page.page
    open_editors(page, workbench, COURSE, f"staff_picker_{sized_page.width}")
    gate = editor_of(page, "personalized_mastery_gate")
    wait_ready(page, "personalized_mastery_gate")
    clear_rows(gate, "Skill check")
    clear_rows(gate, "Skill condition")
    add_row(gate, "Add a skill check")
    picker = gate.locator("fieldset.pp-row", has=page.locator("legend", has_text="Skill check 1")).get_by_label(
        "Skill check", exact=True)
    groups = picker.locator("optgroup")
    assert groups.evaluate_all("gs => gs.map(g => [g.label, [...g.children].map(o => o.textContent)])") == [
        ["Week 1 / Unit 1: comparing", ["Comparing check"]], ["Week 1 / Unit 2: adding", ["Adding check"]]]
    board_picker = gate.get_by_label("Choice board to complete (optional)")
    assert board_picker.locator("option").all_inner_texts() == ["None", "Adding practice board"]
    picker.select_option(label="Adding check")

    add_row(gate, "Add a skill condition")
    condition = gate.locator("fieldset.pp-row", has=page.locator("legend", has_text="Skill condition 1"))
    condition.get_by_label("Skill", exact=True).fill("fractionz")
    assert "New skill: no block of this course uses it yet." in condition.inner_text()
    condition.get_by_label("Mastery needed in percent").fill("80")
    sized_page.axe("gate editor, skill typo", ".pp-editor")
    gate.locator(".save-button").click()
    message = condition.locator(".pp-field-error:not(:empty)")
    message.wait_for()
    assert message.inner_text() == ("No linked skill check asks about the skill “fractionz”. Pick a skill they use "
                                    "(fractions) or link a skill check that asks about it.")
    assert condition.get_by_label("Skill", exact=True).get_attribute("aria-invalid") == "true"
    assert page.evaluate("document.activeElement.value") == "fractionz"
    assert "The settings were not saved" in gate.locator(".pp-editor-summary").inner_text()
    sized_page.axe("gate editor, refused", ".pp-editor")
    sized_page.screenshot("skill-typo")

    condition.get_by_label("Skill", exact=True).fill("fractions")
    assert "Used in this course." in condition.inner_text()
    # The corrected skill's complaint is gone before the author saves again.
    assert condition.locator(".pp-field-error:not(:empty)").count() == 0
    assert condition.get_by_label("Skill", exact=True).get_attribute("aria-invalid") is None
    save(page, gate)
    page.goto(workbench.scenario(COURSE, "learner_course"))
    assert "Reach at least 80% mastery of the skill “fractions”" in page.locator(".pp-mastery-gate").inner_text()


def test_every_editor_is_axe_clean_and_fits(workbench, sized_page):
    page = sized_page.page
    open_editors(page, workbench, "personalized_self_assessment.0", f"staff_axe_{sized_page.width}")
    for kind in KINDS:
        editor_of(page, kind).wait_for()
        page.wait_for_selector(f".xblock-v1[data-block-type={kind}] .pp-editor:not([data-catalog=failed])")
    page.wait_for_function("[...document.querySelectorAll('.pp-editor')].every(e => e.dataset.catalog === 'ready')")
    sized_page.axe("every editor", ".pp-editor")
    overflow = page.evaluate("Math.max(...[...document.querySelectorAll('.pp-editor')].map("
                             "e => e.scrollWidth - e.clientWidth))")
    assert overflow <= 0
    # Add, reorder and remove rows by keyboard, then show server messages: axe again.
    assessment = editor_of(page, "personalized_self_assessment")
    assessment.get_by_role("button", name="Add a statement", exact=True).focus()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.closest('fieldset').querySelector('legend').textContent") == \
        "Statement 4"
    page.keyboard.type("I can order three fractions.")
    assessment.get_by_role("button", name="Move up: Statement 4").focus()
    page.keyboard.press("Enter")
    assert assessment.locator("fieldset.pp-row legend").nth(2).inner_text() == "Statement 3"
    assert assessment.locator("fieldset.pp-row").nth(2).get_by_label("Statement", exact=True).input_value() == \
        "I can order three fractions."
    assessment.get_by_role("button", name="Remove: Level 4").click()
    assessment.get_by_role("button", name="Remove: Level 3").click()
    assessment.locator(".save-button").click()
    assessment.locator(".pp-field-error", has_text="The scale needs from 3 to 5 levels.").wait_for()
    assessment.locator(".pp-field-error", has_text="Expected a short id").wait_for()  # the empty skill
    sized_page.axe("errors shown", ".pp-editor")
    # A tile's interest topic is suggested from the course's learning plan and named when it matches.
    board = editor_of(page, "personalized_choice_board")
    tile = board.locator("fieldset.pp-row", has=page.locator("legend", has_text="Tile 1")).first
    tile.get_by_role("button", name="Add a topic").click()
    topic = tile.get_by_label("Topic id", exact=True)
    topic.fill("music")
    assert "Interest topic “Music” of this course's learning plan." in tile.inner_text()
    topic.fill("musik")
    assert "No learning plan of this course offers this topic." in tile.inner_text()
    sized_page.axe("topic typed", ".pp-editor")
