"""
The Studio editors' server side on XBlock's TestRuntime: the spec each editor is built from, the save
handler (403 first, 400 with one sentence per field, nothing written), the course catalogue behind
the block and skill pickers, the gate's skill check and unlocks that stick.
"""
import json

import pytest
from django.utils import translation
from xblock.fields import Reference, ReferenceList

from tests.harness import call, field_snapshot

KINDS = ("personalized_self_assessment", "personalized_choice_board", "personalized_skill_check",
         "personalized_mastery_gate", "personalized_goal_reflection", "personalized_learning_plan")

COURSE = """
<vertical_demo name="Course">
  <vertical_demo name="Week 1">
    <vertical_demo name="Unit 1">
      <personalized_self_assessment display_name="Rate yourself"
          statements='[{"id": "s1", "text": "I can compare fractions.", "skill": "fractions"}]'/>
      <personalized_skill_check display_name="Check 1"
          questions='[{"id": "q1", "prompt": "Half?", "kind": "single", "skill": "fractions",
                       "choices": [{"id": "a", "text": "2/4"}, {"id": "b", "text": "1/3"}], "correct": ["a"]}]'/>
    </vertical_demo>
    <vertical_demo name="Unit 2">
      <personalized_choice_board display_name="Board"/>
      <personalized_mastery_gate display_name="Gate">
        <html_demo><p>LESSON</p></html_demo>
      </personalized_mastery_gate>
    </vertical_demo>
  </vertical_demo>
  <vertical_demo name="Week 2">
    <vertical_demo name="Unit 3">
      <personalized_goal_reflection display_name="Goals"/>
      <personalized_learning_plan display_name="Plan" topics='[{"id": "sport", "label": "Sport"}]'/>
    </vertical_demo>
  </vertical_demo>
</vertical_demo>
"""


@pytest.fixture
def course(env):
    """Usage ids by display name (and "root")."""
    ids = {"root": env.load(COURSE)}
    queue = [ids["root"]]
    while queue:
        block = env.block(queue.pop())
        for child in getattr(block, "children", None) or []:
            ids[getattr(env.block(child), "display_name", None) or str(child)] = child
            queue.append(child)
    return ids


def editor_spec(block):
    html = block.render("studio_view", {}).body_html()
    start = html.index('<script type="application/json">') + len('<script type="application/json">')
    return json.loads(html[start:html.index("</script>", start)])


def fields_of(block):
    return {spec["name"]: spec for spec in editor_spec(block)["fields"]}


def save(block, values, **extra):
    return call(block, "submit_studio_edits", dict({"values": values}, **extra))


# --- the editor spec ------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", KINDS)
def test_every_editor_is_a_form_spec_without_json_for_the_author(env, kind):
    block = env.block(env.load(f"<{kind}/>"), "staff", staff=True)
    html = block.render("studio_view", {}).body_html()
    spec = editor_spec(block)
    assert 'class="pp-root pp-editor' in html and "save-button" in html
    shown = {field["name"] for field in spec["fields"]}
    assert shown == set(block.editable_fields) - set(block.editor_hidden)
    for field in spec["fields"]:
        assert "JSON" not in field["help"] and "[{" not in field["help"] and "null" not in field["help"], field
        assert field["kind"] in ("text", "textarea", "number", "select", "checkbox", "rows", "reference",
                                 "references", "skill", "topic", "assign", "params")
        if isinstance(block.fields[field["name"]], (Reference, ReferenceList)):
            picked = [field["kind"]] + [column["kind"] for column in field.get("columns", [])]
            assert {"reference", "references", "assign"} & set(picked), field  # picked, never typed
        for option in field.get("options", []):
            assert option["label"] != option["value"] or option["value"].isdigit(), option  # no raw ids shown


def test_structured_fields_are_lists_of_rows(env):
    checks = fields_of(env.block(env.load("<personalized_skill_check/>"), "staff", staff=True))
    questions = checks["questions"]
    assert questions["kind"] == "rows"
    columns = {column["key"]: column for column in questions["columns"]}
    assert columns["skill"]["kind"] == "skill" and columns["choices"]["marks_into"] == "correct"
    assert [column["kind"] for column in columns["choices"]["columns"]] == ["text", "mark", "textarea", "id"]
    board = fields_of(env.block(env.load("<personalized_choice_board/>"), "staff", staff=True))
    assert board["tiles"]["preview"] == "grid" and board["choose_count"]["show_if"] == {"rule": ["k_of_n", "must_may"]}
    assert board["self_assessment"] == dict(board["self_assessment"], kind="reference", accepts=["self_assessment"])


def test_gate_editor_shows_sources_with_thresholds_children_and_estimators_in_words(env, course):
    gate = env.block(course["Gate"], "staff", staff=True)
    gate.sources, gate.source_thresholds = [course["Check 1"]], [70]
    fields = fields_of(gate)
    assert fields["sources"]["value"] == [{"source": course["Check 1"], "threshold": 70}]
    assert fields["sources"]["columns"][0]["accepts"] == ["scorable"]
    # The single-block pickers come from the gate's links table, each accepting the kind it links to.
    for name, kind in (("self_assessment", "self_assessment"), ("choice_board", "choice_board"),
                       ("goal_reflection", "goal_reflection"), ("refresh_check", "skill_check")):
        assert {key: fields[name][key] for key in ("kind", "accepts", "optional")} == {
            "kind": "reference", "accepts": [kind], "optional": True}
    assert "source_thresholds" not in fields
    # Named as authors know the child (a text block by its text), not by its usage id.
    assert fields["child_routes"]["children"] == [{"key": str(gate.children[0]), "label": "Child 1: LESSON"}]
    assert fields["child_routes"]["help"] == ("Which route each child of the gate is shown on; children for "
                                              "Everyone are shown on every route.")
    labels = {option["value"]: option["label"] for option in fields["estimator"]["options"]}
    assert labels["decaying_average"].startswith("Decaying average:")
    assert [param["key"] for param in fields["estimator_params"]["params"]["n_of_m"]] == ["n", "m", "cut", "min_right"]
    assert editor_spec(gate)["actions"][0]["name"] == "reevaluate_everyone"


def test_spanish_editor_translates_options_and_labels(env):
    board = env.block(env.load("<personalized_choice_board/>"), "staff", staff=True)
    with translation.override("es"):
        fields = fields_of(board)
        messages = editor_spec(board)["messages"]
    rules = [option["label"] for option in fields["rule"]["options"]]
    layouts = [option["label"] for option in fields["layout"]["options"]]
    assert "Línea de tres en raya" in rules and "Cuadrícula" in layouts
    assert fields["tiles"]["add_label"] == "Añadir una casilla" and messages["remove"] == "Quitar"


def test_author_text_in_the_spec_cannot_close_the_script(env):
    block = env.block(env.load("<personalized_self_assessment display_name='a &lt;/script&gt;&lt;b&gt;x'/>"),
                      "staff", staff=True)
    html = block.render("studio_view", {}).body_html()
    assert "</script><b>" not in html and editor_spec(block)["fields"][0]["value"] == "a </script><b>x"


# --- saving ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("handler", ["submit_studio_edits", "editor_catalog"])
def test_only_staff_may_save_or_list_the_course_and_the_check_comes_first(env, kind, handler):
    usage = env.load(f"<{kind}/>")
    before = field_snapshot(env, usage)
    for body in (b'{"values": {"display_name": "Mine"}}', b"not json at all", b""):
        status, data = call(env.block(usage, "learner"), handler, body=body)
        assert status == 403 and data["error"] == "Only course staff can do this."
    assert field_snapshot(env, usage) == before


def test_refusals_name_each_field_in_a_sentence_and_write_nothing(env):
    usage = env.load("<personalized_skill_check/>")
    block = env.block(usage, "staff", staff=True)
    questions = editor_spec(block)["fields"][2]["value"]
    questions[0]["correct"] = ["a", "c"]
    questions[1]["choices"][0]["text"] = ""
    before = field_snapshot(env, usage, "staff")
    status, data = save(block, {"questions": questions, "attempts_allowed": None, "weight": -1, "display_name": "New"})
    assert status == 400
    assert data["errors"] == [
        {"field": "attempts_allowed", "message": "Enter a whole number."},
        {"field": "weight", "message": "Expected a number from 0 to 1000000."},
    ]
    status, data = save(env.block(usage, "staff", staff=True), {"questions": questions, "weight": 1})
    assert status == 400 and data["errors"] == [
        {"field": "questions[0].correct", "message": "A single-answer question needs exactly one correct choice."},
        {"field": "questions[1].choices[0].text", "message": "Write at least 1 character."},
    ]
    assert field_snapshot(env, usage, "staff") == before
    status, data = save(env.block(usage, "staff", staff=True), {"bogus": 1})
    assert status == 400 and data["field"] == "bogus"


def test_spanish_refusals_are_spanish(env):
    usage = env.load("<personalized_self_assessment/>")
    with translation.override("es"):
        status, data = save(env.block(usage, "staff", staff=True), {"scale": []})
    assert status == 400 and data["errors"][0]["message"] == "La escala necesita entre 3 y 5 niveles."


def test_gate_sources_rows_become_sources_and_thresholds(env, course):
    gate = env.block(course["Gate"], "staff", staff=True)
    status, data = save(gate, {"sources": [{"source": course["Check 1"], "threshold": None}]})
    assert status == 200, data
    gate = env.block(course["Gate"])
    assert [str(ref) for ref in gate.sources] == [course["Check 1"]] and gate.source_thresholds == []
    status, data = save(env.block(course["Gate"], "staff", staff=True),
                        {"sources": [{"source": course["Check 1"], "threshold": 140}]})
    assert status == 400 and data["errors"][0]["field"] == "source_thresholds[0]"
    status, data = save(env.block(course["Gate"], "staff", staff=True), {"sources": [{"source": None}]})
    assert status == 400 and data["errors"] == [
        {"field": "sources[0].source", "message": "Pick a block from the list."}]
    status, data = save(env.block(course["Gate"], "staff", staff=True), {"sources": [{"source": course["Board"]}]})
    assert status == 400 and "has no score" in data["error"]


def test_a_gate_condition_on_a_skill_nothing_measures_is_refused(env, course):
    gate = env.block(course["Gate"], "staff", staff=True)
    before = field_snapshot(env, course["Gate"], "staff")
    status, data = save(gate, {"skill_checks": [course["Check 1"]],
                               "skills": [{"skill": "fractionz", "threshold": 80}]})
    assert status == 400 and data["errors"] == [{"field": "skills[0].skill", "message": (
        "No linked skill check asks about the skill “fractionz”. Pick a skill they use (fractions) or link a "
        "skill check that asks about it.")}]
    status, data = save(env.block(course["Gate"], "staff", staff=True), {
        "self_assessment": course["Rate yourself"], "self_assessment_skill": "fractionz"})
    assert status == 400 and data["errors"][0]["field"] == "self_assessment_skill" and "“fractionz”" in data["error"]
    assert field_snapshot(env, course["Gate"], "staff") == before
    status, data = save(env.block(course["Gate"], "staff", staff=True), {
        "skill_checks": [course["Check 1"]], "skills": [{"skill": "fractions", "threshold": 80}],
        "self_assessment": course["Rate yourself"], "self_assessment_skill": "fractions"})
    assert status == 200, data


def test_unlocks_stick_unless_the_author_re_evaluates_everyone(env, course):
    staff = env.block(course["Gate"], "staff", staff=True)
    assert save(staff, {"sources": [{"source": course["Check 1"], "threshold": 50}]})[0] == 200
    check = env.block(course["Check 1"], "ana")
    assert call(check, "submit", {"answers": {"q1": ["a"]}})[0] == 200
    assert "LESSON" in env.block(course["Gate"], "ana").runtime.render(env.block(course["Gate"], "ana"),
                                                                       "student_view").content

    def sees_lesson(user):
        block = env.block(course["Gate"], user)
        return "LESSON" in block.runtime.render(block, "student_view").content

    # A stricter rule: Ana, who unlocked, keeps access; Ben, who has not, meets the new rule.
    status, _data = save(env.block(course["Gate"], "staff", staff=True), {
        "sources": [{"source": course["Check 1"], "threshold": 50}],
        "goal_reflection": course["Goals"]})
    assert status == 200
    assert sees_lesson("ana") and not sees_lesson("ben")
    assert env.block(course["Gate"], "ana").is_unlocked()
    # Saving again without the option changes nothing for her; with it, she must meet the rule.
    assert save(env.block(course["Gate"], "staff", staff=True), {"threshold": 80})[0] == 200
    assert sees_lesson("ana")
    status, _data = save(env.block(course["Gate"], "staff", staff=True), {"threshold": 80},
                         reevaluate_everyone=True)
    assert status == 200 and env.block(course["Gate"]).unlock_round == 1
    assert not sees_lesson("ana")
    status, data = save(env.block(course["Gate"], "staff", staff=True), {}, reevaluate_everyone="yes")
    assert status == 400 and data["field"] == "reevaluate_everyone"


# --- the catalogue behind the pickers --------------------------------------------------------------------

def test_catalog_lists_the_course_by_place_without_the_block_and_its_content(env, course):
    status, data = call(env.block(course["Gate"], "staff", staff=True), "editor_catalog", {})
    assert status == 200
    assert [(block["name"], block["place"], block["can"]) for block in data["blocks"]] == [
        ("Rate yourself", ["Week 1", "Unit 1"], ["self_assessment", "personalized"]),
        ("Check 1", ["Week 1", "Unit 1"], ["scorable", "skill_check", "personalized"]),
        ("Board", ["Week 1", "Unit 2"], ["choice_board", "personalized"]),
        ("Goals", ["Week 2", "Unit 3"], ["goal_reflection", "personalized"]),
        ("Plan", ["Week 2", "Unit 3"], ["learning_plan"]),
    ]
    assert data["blocks"][1]["id"] == course["Check 1"]
    assert data["skills"] == ["fractions"] and data["truncated"] is False
    assert data["topics"] == [{"id": "sport", "label": "Sport"}]  # the learning plan's, for tile topics
    assert all("topics" not in block for block in data["blocks"])
    from_board = call(env.block(course["Board"], "staff", staff=True), "editor_catalog", {})[1]
    assert "Gate" in [block["name"] for block in from_board["blocks"]]
    assert "LESSON" not in json.dumps(from_board)


def test_catalog_walk_is_bounded(env, course):
    blocks, _skills, truncated = env.block(course["Gate"], "staff", staff=True).catalog_blocks(limit=4)
    assert truncated and len(blocks) <= 4
    status, data = call(env.block(course["Gate"], "staff", staff=True), "editor_catalog", {"more": 1})
    assert status == 400 and data["field"] == "more"


# --- the choice board's and the learning plan's links ---------------------------------------------------

def test_board_links_a_plan_and_placement_checks_by_picker_and_refuses_unknown_topics(env, course):
    board = env.block(course["Board"], "staff", staff=True)
    fields = fields_of(board)
    assert fields["learning_plan"]["accepts"] == ["learning_plan"]
    placement = fields["placement_checks"]
    assert placement["kind"] == "references" and placement["accepts"] == ["skill_check"]
    tiles = [dict(tile, topics=["sport"]) for tile in board.tiles]
    status, _data = save(board, {"learning_plan": course["Plan"], "placement_checks": [course["Check 1"]],
                                 "tiles": tiles})
    assert status == 200 and str(env.block(course["Board"]).learning_plan) == course["Plan"]
    before = field_snapshot(env, course["Board"])
    tiles[1]["topics"] = ["sports"]
    status, data = save(env.block(course["Board"], "staff", staff=True), {"tiles": tiles})
    assert status == 400
    assert data["errors"] == [{"field": "tiles[1].topics", "message": (
        "The linked learning plan has no interest topic “sports”. Use one of its topics (sport).")}]
    status, data = save(env.block(course["Board"], "staff", staff=True),
                        {"placement_checks": [course["Check 1"], course["Goals"]]})
    assert status == 400 and data["errors"][0]["field"] == "placement_checks[1]"
    assert field_snapshot(env, course["Board"]) == before


def test_learning_plan_editor_picks_blocks_and_edits_topics_as_rows(env, course):
    plan = env.block(course["Plan"], "staff", staff=True)
    fields = fields_of(plan)
    assert fields["sources"]["kind"] == "references" and fields["sources"]["accepts"] == ["personalized"]
    assert [column["key"] for column in fields["topics"]["columns"]] == ["label", "id"]
    status, _data = save(plan, {"sources": [course["Check 1"], course["Gate"]],
                                "topics": [{"id": "sport", "label": "Sport"}, {"id": "music", "label": "Music"}]})
    assert status == 200
    saved = env.block(course["Plan"])
    assert [str(ref) for ref in saved.sources] == [course["Check 1"], course["Gate"]]
    assert [topic["id"] for topic in saved.topics] == ["sport", "music"]
    status, data = save(env.block(course["Plan"], "staff", staff=True), {
        "sources": [course["Plan"]], "topics": [{"id": "a", "label": ""}]})
    assert status == 400
    assert {error["field"] for error in data["errors"]} == {"topics[0].label", "sources[0]"}
    assert [topic["id"] for topic in env.block(course["Plan"]).topics] == ["sport", "music"]
    assert call(env.block(course["Plan"], "ben"), "submit_studio_edits", {"values": {"stuck_days": 3}})[0] == 403


def test_a_re_check_names_only_skill_checks_as_its_sources(env, course):
    check = env.block(course["Check 1"], "staff", staff=True)
    before = field_snapshot(env, course["Check 1"])
    status, data = save(check, {"recheck_sources": [course["Goals"]]})
    assert status == 400
    assert data["errors"] == [{"field": "recheck_sources[0]",
                               "message": "“Goals” is not a block of the kind this link needs."}]
    assert field_snapshot(env, course["Check 1"]) == before
    other = env.load("<personalized_skill_check/>")
    assert save(env.block(course["Check 1"], "staff", staff=True), {"recheck_sources": [other]})[0] == 200


def test_a_new_tile_gets_no_kind_until_the_author_chooses_one(env, course):
    board = env.block(course["Board"], "staff", staff=True)
    kind = {column["key"]: column for column in fields_of(board)["tiles"]["columns"]}["format"]
    # New rows start on "Choose a kind"; a saved tile without a kind shows the one the server uses.
    assert kind["placeholder"] == "Choose a kind" and kind["saved_default"] == "other"
    before = board.tiles
    status, data = save(board, {"tiles": [{"id": "t1", "title": "Read", "format": "", "tier": "may"}]})
    assert status == 400
    assert {"field": "tiles[0].format", "message": "Choose the kind of activity."} in data["errors"]
    assert env.block(course["Board"], "staff", staff=True).tiles == before


def test_the_gate_editor_folds_into_sections_naming_every_field_once(env, course):
    gate = env.block(course["Gate"], "staff", staff=True)
    spec = editor_spec(gate)
    named = [name for section in spec["sections"] for name in section["fields"]]
    assert [section["label"] for section in spec["sections"]] == [
        "Scores to reach", "Skills to master", "Other blocks to complete", "Routes by score", "Keeping skills fresh"]
    assert len(named) == len(set(named)) and set(named) <= {field["name"] for field in spec["fields"]}
