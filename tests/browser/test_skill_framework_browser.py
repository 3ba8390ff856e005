"""
Skills from a competency framework in Chromium (issue 29), on a workbench with the platform's tagging
app: the repo's small framework imported by the management command, an author picks two of its
skills in the skill check's and the gate's editors by keyboard (the list offers them by their path
of labels; the note names the framework), a learner answers, and the plan shows the framework's
labels with the parent rolled up. axe and 375 px on the editor and the plan.
"""
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

SCENARIO = "personalized_learning_plan.1"
FRAMEWORK = Path(__file__).resolve().parents[1] / "fixtures" / "fractions_framework.json"
UNDERSTAND, COMPARE = "3-nf-1", "3-nf-3"


def editor_of(page, block_type):
    return page.locator(f".xblock-v1[data-block-type={block_type}] .pp-editor")


def open_ready(page, workbench, block_type):
    page.goto(workbench.scenario(SCENARIO, "staff_framework"))
    page.goto(workbench.scenario(SCENARIO, "staff_framework", view="studio_view"))
    page.wait_for_selector(f".xblock-v1[data-block-type={block_type}] .pp-editor[data-catalog=ready]")
    editor = editor_of(page, block_type)
    for index in range(editor.locator("details.pp-fold").count()):
        section = editor.locator("details.pp-fold").nth(index)
        if section.get_attribute("open") is None:
            section.locator("summary").click()
    return editor


def row(page, editor, legend):
    return editor.locator("fieldset.pp-row", has=page.locator("legend", has_text=legend)).first


def type_skill(page, field, slug):
    """An author's keyboard: focus the skill field, select what is there, type the slug."""
    field.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type(slug)


def save(page, editor):
    editor.locator(".save-button").click()
    page.wait_for_function("!location.pathname.includes('studio_view') || "
                           "document.querySelector('.pp-editor-summary:not(:empty)')")
    assert "studio_view" not in page.url, editor.locator(".pp-editor-summary").all_inner_texts()


@pytest.fixture(scope="module")
def framework(workbench):
    subprocess.run([sys.executable, "-m", "django", "import_skill_framework", str(FRAMEWORK),
                    "--name", "Fractions framework"], cwd=workbench.folder, env=workbench.env, check=True)


def test_an_author_picks_framework_skills_and_the_plan_shows_their_labels(workbench, framework, sized_page):
    # pylint: disable=unused-argument,redefined-outer-name
    page = sized_page.page
    check = open_ready(page, workbench, "personalized_skill_check")
    # The skill list offers the framework's skills by their path of labels, the parent first.
    options = check.locator("datalist option").evaluate_all("os => os.map(o => [o.value, o.textContent])")
    assert options[:4] == [["3-nf", "Fractions"], [COMPARE, "Fractions › Compare fractions"],
                           ["3-nf-2", "Fractions › Place fractions on a number line"],
                           [UNDERSTAND, "Fractions › Understand a fraction as parts of a whole"]]
    first, second = row(page, check, "Question 1"), row(page, check, "Question 2")
    type_skill(page, first.get_by_label("Skill", exact=True), UNDERSTAND)
    assert "From the skill framework “Fractions framework”: Fractions › Understand a fraction as parts of a whole" \
        in first.inner_text()
    type_skill(page, second.get_by_label("Skill", exact=True), COMPARE)
    assert "Fractions › Compare fractions" in second.inner_text()
    sized_page.axe("skill check editor, framework skills", ".pp-editor")
    assert check.evaluate("e => e.scrollWidth - e.clientWidth") <= 0   # the long labels fit at 375 px
    save(page, check)

    gate = open_ready(page, workbench, "personalized_mastery_gate")
    for item in ("Skill check", "Skill condition"):
        while gate.get_by_role("button", name=f"Remove: {item} 1", exact=True).count():
            gate.get_by_role("button", name=f"Remove: {item} 1", exact=True).click()
    gate.get_by_role("button", name="Add a skill check", exact=True).click()
    row(page, gate, "Skill check 1").get_by_label("Skill check", exact=True).select_option(label="Fractions check")
    for number, slug in ((1, UNDERSTAND), (2, COMPARE)):
        gate.get_by_role("button", name="Add a skill condition", exact=True).click()
        condition = row(page, gate, f"Skill condition {number}")
        type_skill(page, condition.get_by_label("Skill", exact=True), slug)
        condition.get_by_label("Mastery needed in percent").fill("60")
    assert "From the skill framework “Fractions framework”" in row(page, gate, "Skill condition 2").inner_text()
    sized_page.axe("gate editor, framework skills", ".pp-editor")
    save(page, gate)

    learner = f"framework_learner_{sized_page.width}"
    page.goto(workbench.scenario(SCENARIO, learner))
    page.locator(".pp-skill-check .pp-question").nth(0).get_by_label("2/4", exact=True).check()
    page.locator(".pp-skill-check .pp-question").nth(1).get_by_label("2/3", exact=True).check()
    page.get_by_role("button", name="Submit answers").click()
    page.wait_for_selector(".pp-skill-check .pp-summary")
    page.reload()
    rows = page.locator(".pp-learning-plan .pp-plan-skill")
    rows.first.wait_for()
    shown = rows.evaluate_all("rs => rs.map(r => [r.dataset.skill, r.dataset.band, r.querySelector('th').textContent])")
    assert shown == [["3-nf", "mastered", "Fractions"],
                     [UNDERSTAND, "mastered", "Understand a fraction as parts of a whole"],
                     [COMPARE, "mastered", "Compare fractions"]]
    assert "From your results in: Understand a fraction as parts of a whole, Compare fractions" in \
        rows.first.inner_text()
    sized_page.axe("learning plan, framework labels", ".pp-learning-plan")
    assert page.locator(".pp-learning-plan").evaluate("e => e.scrollWidth - e.clientWidth") <= 0
    sized_page.screenshot("framework-plan", ".pp-learning-plan")
