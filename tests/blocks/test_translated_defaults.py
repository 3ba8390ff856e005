"""
A course built from the blocks' defaults speaks the learner's language; what an author typed is
shown as typed; a default saved unchanged from Studio (in any language) still counts as the default,
and nothing translated is ever stored or exported.
"""
import html
import json
import re
from datetime import date, timedelta
from io import BytesIO

import pytest
from django.utils import translation

from personalized_path.core.texts import texts_in
from tests.builders import block_classes
from tests.harness import call, in_studio

TAGS = sorted(block_classes())


def page_text(markup):
    return html.unescape(re.sub(r"<[^>]+>", " ", markup))


def default_texts(block):
    return [(name, text) for name, field in block.fields.items() if getattr(field, "translated_default", False)
            for text in texts_in(field.default)]


@pytest.mark.parametrize("lang", ["es", "ar"])
@pytest.mark.parametrize("staff", [False, True])
@pytest.mark.parametrize("tag", TAGS)
def test_a_block_of_defaults_shows_no_english_default(env, tag, staff, lang):
    usage = env.load(f"<{tag}/>")
    translation.activate(lang)
    block = env.block(usage, "staff_1" if staff else "student_1", staff=staff)
    shown = page_text(block.render("student_view", {}).body_html())
    english = [text for _name, text in default_texts(block) if text in shown]
    assert not english, f"{tag} in {lang}: English defaults shown: {english}"
    # The title and the first text under it are there, in the learner's language.
    assert block._(block.fields["display_name"].default) in shown
    assert block.display_name == block._(block.fields["display_name"].default) != block.fields["display_name"].default


def test_author_text_is_shown_as_typed_and_a_default_among_it_translated(env):
    usage = env.load("""<personalized_self_assessment display_name="Fractions" instructions="Rate yourself."
        statements='[{"id": "add", "text": "I can add fractions", "skill": "fractions"},
                     {"id": "explain-idea", "text": "I can explain the main idea in my own words.", "skill": "u"}]'
        scale='[{"label": "Not yet"}, {"label": "Almost"}, {"label": "Confident", "descriptor": "Alone."}]'/>""")
    translation.activate("es")
    block = env.block(usage)
    shown = page_text(block.render("student_view", {}).body_html())
    for typed in ("Fractions", "Rate yourself.", "I can add fractions", "Almost", "Alone."):
        assert typed in shown
    for default in ("Not yet", "Confident", "I can explain the main idea in my own words."):
        assert default not in shown and block._(default) in shown


def studio_values(block):
    """What the editor shows for each text field (and posts back when the author changes nothing)."""
    spec = block.render("studio_view", {}).body_html()
    fields = json.loads(html.unescape(re.search(r'<script[^>]*type="application/json"[^>]*>(.*?)</script>',
                                                spec, re.S).group(1)))["fields"]
    return {field["name"]: field["value"] for field in fields}


def block_of_defaults(env, tag):
    """A block with every default; a gate needs one condition before Studio saves it."""
    if tag == "personalized_mastery_gate":
        return env.load(f"""<{tag} sources='["{env.load("<personalized_skill_check/>")}"]'/>""")
    return env.load(f"<{tag}/>")


@pytest.mark.parametrize("tag", TAGS)
def test_defaults_saved_unchanged_from_a_spanish_studio_stay_defaults(env, tag):
    usage = block_of_defaults(env, tag)
    translation.activate("es")
    block = in_studio(env.block(usage, "staff_1", staff=True))
    values = studio_values(block)
    texts = {name: values[name] for name, field in block.fields.items()
             if getattr(field, "translated_default", False) and name in values}
    title = block.fields["display_name"].default
    assert texts["display_name"] == block._(title) != title
    status, answer = call(block, "submit_studio_edits", {"values": texts})
    assert status == 200, answer

    stored = env.block(usage, "staff_1", staff=True)
    for name in texts:
        field = stored.fields[name]
        assert field.read_from(stored) == field.default, name
    exported = BytesIO()
    stored.runtime.export_to_xml(stored, exported)
    assert block._(block.fields["display_name"].default) not in exported.getvalue().decode("utf-8")

    translation.activate("ar")
    learner = env.block(usage)
    for name in texts:
        assert getattr(learner, name) == learner.fields[name].shown(learner, learner.fields[name].default), name
    assert learner.display_name == learner._(learner.fields["display_name"].default)


def test_an_edited_default_is_stored_as_typed(env):
    usage = env.load("<personalized_goal_reflection/>")
    translation.activate("es")
    block = in_studio(env.block(usage, "staff_1", staff=True))
    prompts = studio_values(block)["short_term_prompts"] + ["¿Qué harás mañana?"]
    assert call(block, "submit_studio_edits", {"values": {"short_term_prompts": prompts}})[0] == 200
    stored = env.block(usage)
    assert stored.fields["short_term_prompts"].read_from(stored) == [
        "What will you do in the next week or two to get closer?", "¿Qué harás mañana?"]
    translation.activate("ar")
    assert env.block(usage).short_term_prompts == [
        env.block(usage)._("What will you do in the next week or two to get closer?"), "¿Qué harás mañana?"]


def test_lms_course_in_arabic_shows_defaults_translated_and_other_blocks_names_too(lms_course):
    translation.activate("ar")
    goals = page_text(lms_course.render(lms_course.at("unit3")))
    board = page_text(lms_course.render(lms_course.at("unit2")))
    block = lms_course.block(lms_course.at("goals"))
    for text in ("Your goals", "What do you want to be able to do by the end of the course?"):
        assert text not in goals and block._(text) in goals
    # The board's tiles copy two default titles: shown translated; the plan names the goal block in Arabic.
    assert "Read the chapter" not in board and block._("Read the chapter") in board
    plan = page_text(lms_course.render(lms_course.at("unit5")))
    assert "Your goals" not in plan and block._("Your goals") in plan


LATER = (date.today() + timedelta(days=60)).isoformat()
ACTIONS = {  # what a learner does first in a block of defaults, after which more default texts show
    "personalized_self_assessment": [("submit", {"ratings": {"explain-idea": 1, "apply-idea": 4}})],
    "personalized_skill_check": [("submit", {"answers": {"q1": ["a"], "q2": ["a", "b"]}})],
    "personalized_choice_board": [("choose", {"tiles": ["read-chapter", "watch-talk"]}), ("commit", {})],
    "personalized_goal_reflection": [("save_goals", {"revision": 0, "goals": {
        "long": {"text": "Add any two fractions", "smart": [], "target_date": LATER},
        "short-1": {"text": "Practise ten sums", "smart": [], "target_date": LATER}}})],
}


@pytest.mark.parametrize("lang", ["es", "ar"])
@pytest.mark.parametrize("tag", sorted(ACTIONS))
def test_after_a_learners_first_action_no_english_default_shows(env, tag, lang):
    """Feedback, profiles, plans and check-in prompts that only show later are translated too."""
    usage = env.load(f"<{tag}/>")
    translation.activate(lang)
    for handler, payload in ACTIONS[tag]:
        status, answer = call(env.block(usage), handler, payload)
        assert status == 200, answer
    block = env.block(usage)
    shown = page_text(block.render("student_view", {}).body_html())
    english = [text for _name, text in default_texts(block) if text in shown]
    assert not english, f"{tag} in {lang}: English defaults shown: {english}"
    later = {"personalized_skill_check": "9 is 3 times 3.", "personalized_goal_reflection": "What got in the way?",
             "personalized_self_assessment": "Could teach it", "personalized_choice_board": "Watch the talk"}[tag]
    assert block._(later) in shown
