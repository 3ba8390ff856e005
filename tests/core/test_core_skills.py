"""The skill framework: slugs that survive a rename, the hierarchy, and the parent roll-up rule."""
import pytest

from personalized_path.core import plan, skills

TAGS = [
    {"id": "FRACTIONS", "value": "Fractions", "parent_id": ""},
    {"id": "FRAC.ADD", "value": "Add fractions", "parent_id": "FRACTIONS"},
    {"id": "FRAC.COMPARE", "value": "Compare fractions", "parent_id": "FRACTIONS"},
    {"id": "FRAC.SIMPLIFY", "value": "Simplify fractions", "parent_id": "FRACTIONS"},
]


def test_a_slug_comes_from_the_external_id_so_a_rename_keeps_it():
    renamed = [dict(tag, value="Sumar fracciones") if tag["id"] == "FRAC.ADD" else tag for tag in TAGS]
    assert skills.framework(TAGS)["frac-add"].label == "Add fractions"
    assert skills.framework(renamed)["frac-add"].label == "Sumar fracciones"
    assert list(skills.framework(TAGS)) == list(skills.framework(renamed))


@pytest.mark.parametrize("text, slug", [
    ("CAJÓN", "cajon"), ("Área y perímetro", "area-y-perimetro"), ("  x__y  ", "x__y"), ("***", None),
    ("a" * 80, "a" * 64), (None, None), ("数学", None),
])
def test_slugs_are_what_blocks_accept(text, slug):
    assert skills.skill_slug(text) == slug


def test_a_tag_without_a_usable_id_takes_its_slug_from_its_value_and_duplicates_are_left_out():
    found = skills.framework([{"id": "数学", "value": "Math"}, {"id": "MATH", "value": "Maths again"},
                              {"id": "x", "value": ""}])
    assert found == {"math": skills.Skill("math", "Math")}


def test_the_hierarchy():
    found = skills.framework(TAGS)
    assert found["fractions"].parent is None
    assert skills.children(found) == {"fractions": ["frac-add", "frac-compare", "frac-simplify"]}


@pytest.mark.parametrize("value, ok", [
    ({"rule": "all"}, True), ({"rule": "at_least", "n": 2}, True), ({"rule": "at_least"}, False),
    ({"rule": "at_least", "n": 0}, False), ({"rule": "at_least", "n": True}, False), ({"rule": "most"}, False),
    ({"rule": "all", "x": 1}, False), ([], False),
])
def test_rollup_settings_are_validated(value, ok):
    assert skills.valid_rollup(value) is ok


@pytest.mark.parametrize("children, rollup, mastered", [
    ([True, True], {"rule": "all"}, True),
    ([True, False], {"rule": "all"}, False),
    ([True, False, False], {"rule": "at_least", "n": 1}, True),
    ([True, False, False], {"rule": "at_least", "n": 2}, False),
    ([True, True], {"rule": "at_least", "n": 3}, True),   # n above the children measured: all of them
    ([], {"rule": "all"}, False),
])
def test_parent_mastery_by_the_stated_rule(children, rollup, mastered):
    assert skills.parent_mastered(children, rollup) is mastered


ALL_RIGHT = [1] * 6   # enough evidence for the default estimator's mastery


def row(skill, outcomes):
    evidence = [(f"2026-01-{i + 1:02d}T10:00:00+00:00", outcome) for i, outcome in enumerate(outcomes)]
    return plan.skill_row(skill, None, evidence, plan.SkillRule())


def test_the_plan_rows_gain_their_parent_rolled_up_before_its_first_child():
    framework = skills.framework(TAGS)
    rows = [row("other", [1]), row("frac-add", ALL_RIGHT), row("frac-compare", ALL_RIGHT)]
    assert [r["band"] for r in rows] == ["beginning", "mastered", "mastered"]
    shown = skills.rolled_up(rows, framework, {"rule": "all"})
    assert [r["skill"] for r in shown] == ["other", "fractions", "frac-add", "frac-compare"]
    parent = shown[1]
    assert parent["band"] == "mastered" and parent["children"] == ["frac-add", "frac-compare"]
    assert parent["evidence"] == 12


def test_one_child_short_leaves_the_parent_unmastered_under_all_and_mastered_under_at_least_one():
    framework = skills.framework(TAGS)
    rows = [row("frac-add", ALL_RIGHT), row("frac-compare", [0] * 6)]
    assert skills.rolled_up(rows, framework, {"rule": "all"})[0]["band"] != "mastered"
    assert skills.rolled_up(rows, framework, {"rule": "at_least", "n": 1})[0]["band"] == "mastered"


def test_a_parent_the_course_measures_itself_keeps_its_own_row_and_grandparents_roll_up():
    tags = [{"id": "MATH", "value": "Math"}, *[dict(tag, parent_id=tag["parent_id"] or "MATH") for tag in TAGS]]
    framework = skills.framework(tags)
    rows = [row("frac-add", ALL_RIGHT), row("frac-compare", ALL_RIGHT)]
    shown = skills.rolled_up(rows, framework, {"rule": "all"})
    assert [r["skill"] for r in shown] == ["math", "fractions", "frac-add", "frac-compare"]
    assert shown[0]["band"] == "mastered"
    own = row("fractions", [0] * 6)
    shown = skills.rolled_up([own, *rows], framework, {"rule": "all"})
    assert [r["skill"] for r in shown] == ["math", "fractions", "frac-add", "frac-compare"]
    assert shown[1] is own and own["band"] != "mastered"


def test_skills_outside_the_framework_are_left_as_they_are():
    rows = [row("other", [1])]
    assert skills.rolled_up(rows, skills.framework(TAGS), {"rule": "all"}) == rows
    assert skills.rolled_up(rows, {}, {"rule": "all"}) == rows
