"""
Rendering: templates compile once per process and translate with one merged catalog per
language, so repeated renders do not grow memory, and translations are exactly those of the
block's i18n service on top of Django's. (Time per render is measured in
benchmarks/bench_render_memory.py: no test here times anything.)
"""
import gc
import os
import re
from datetime import date, datetime, timedelta, timezone as fixed_zone

import pytest
from django.template import Context, Engine
from django.template.defaultfilters import date as django_date
from django.utils import timezone
from django.utils import translation
from django.utils.translation import trans_real

from personalized_path import presentation
from personalized_path.presentation import settings_problems, templates
from personalized_path import template_filters
from personalized_path.rendering import TemplateRenderer, active_translation
from tests.harness import call

BLOCKS = {
    "self_assessment": "<personalized_self_assessment show_class_comparison='true'/>",
    "choice_board": "<personalized_choice_board/>",
    "skill_check": "<personalized_skill_check/>",
    "goal_reflection": "<personalized_goal_reflection/>",
    "mastery_gate": "<personalized_mastery_gate><html_demo><p>inside</p></html_demo></personalized_mastery_gate>",
}
TARGET = (date.today() + timedelta(days=30)).isoformat()
GOALS = {"revision": 0, "goals": {"long": {"text": "Add any two fractions", "smart": ["S"], "target_date": TARGET},
                                  "short-1": {"text": "Ten sums a day", "smart": [], "target_date": TARGET}}}
RENDERS = 2000  # per block, alternating English and Spanish
# Django's own engine over the same templates, as any Django project makes one: the output to match,
# once both are read as a browser reads HTML (see same_html).
PLAIN_ENGINE = Engine(dirs=[templates.folder], libraries={"i18n": "django.templatetags.i18n"}, autoescape=True,
                      builtins=["personalized_path.template_filters"])


def same_html(ours, django):
    """
    Whether our render is Django's as a browser shows it, and carries no indentation: the
    CompactLoader only drops spaces at line starts, blank lines and the breaks after lines of control
    tags, where HTML collapses the spaces around anyway.
    """
    assert not re.search(r"^[ \t]", ours, re.MULTILINE), "a line of the output is indented"
    return " ".join(ours.split()) == " ".join(django.split())


BATCH = 200


def test_templates_compile_once_and_translate_through_the_i18n_service(env):
    block = env.block(env.load(BLOCKS["self_assessment"]))
    with translation.override("es"):
        block.student_view({})
    active_before = translation.get_language()
    shared_before = dict(trans_real._translations)  # pylint: disable=protected-access
    with translation.override("es"):
        spanish = block.student_view({}).content
    english = block.student_view({}).content
    assert "Enviar valoraciones" in spanish and "Submit ratings" not in spanish
    assert "Submit ratings" in english and "Enviar valoraciones" not in english
    # Rendering leaves Django's own translation objects and the active language as they were.
    assert translation.get_language() == active_before
    shared_after = dict(trans_real._translations)  # pylint: disable=protected-access
    assert shared_after.keys() == shared_before.keys()
    assert all(shared_after[key] is shared_before[key] for key in shared_before)
    assert templates.engine.get_template("self_assessment.html") is templates.engine.get_template(
        "self_assessment.html")


def test_plurals_and_dates_in_templates_follow_the_language(env):
    usage = env.load(BLOCKS["self_assessment"])
    statements = env.block(usage).statements
    ratings = {statement["id"]: 2 for statement in statements}
    for _ in range(2):
        status, _data = call(env.block(usage), "submit", {"ratings": ratings})
        assert status == 200
    with translation.override("es"):
        html = env.block(usage).student_view({}).content
    assert "Te valoraste 2 veces; la última, el" in html and " de " in html.split("la última, el", 1)[1][:30]


def resident_bytes():
    with open("/proc/self/statm", encoding="ascii") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _render_batches(block):
    """Resident memory after the first and the last batch of renders."""
    memory = []
    for batch in range(RENDERS // BATCH):
        for index in range(BATCH):
            with translation.override("es" if index % 2 else "en"):
                block.student_view({})
        if batch in (0, RENDERS // BATCH - 1):
            gc.collect()
            memory.append(resident_bytes())
    return memory


@pytest.mark.parametrize("name", sorted(BLOCKS))
def test_memory_stays_flat_over_many_renders(env, name):
    block = env.block(env.load(BLOCKS[name]))
    for index in range(20):  # warm: compiled templates and one translation per language
        with translation.override("es" if index % 2 else "en"):
            block.student_view({})
    memory = _render_batches(block)
    growth = memory[1] - memory[0]
    # Time per render is a speed figure: benchmarks/bench_render_memory.py reports it, no test times it.
    assert growth < 2 * 1024 * 1024, f"{name}: memory grew by {growth} bytes over {RENDERS} renders"


@pytest.mark.parametrize("language", ["en", "es", "ar"])
def test_translations_render_exactly_as_the_tags_would(env, language):
    """The goal reflection's view, with its timeline, in each language: the output is Django's own."""
    usage = env.load(BLOCKS["goal_reflection"])
    ok_status, _data = call(env.block(usage), "save_goals", GOALS)
    assert ok_status == 200
    block = env.block(usage)
    with translation.override(language):
        context = block.template_context(block.view_context(block.state()))
        merged = templates.translation(language, block.i18n_service)
        with active_translation(merged), timezone.override(fixed_zone.utc):  # the reader's zone: UTC by default
            expected = PLAIN_ENGINE.get_template("goal_reflection.html").render(Context(context, autoescape=True))
        rendered = templates.render("goal_reflection.html", context, block.i18n_service)
    assert same_html(rendered, expected) and "pp-timeline" in rendered
    assert len(rendered) < 0.95 * len(expected)  # the indentation alone; ids are shorter in the LMS too
    assert ("Your timeline" in rendered) == (language == "en")


def test_settings_are_checked_once_per_distinct_value_and_the_checks_kept_are_bounded(monkeypatch):
    calls = []

    def check(value):
        calls.append(value)
        return [f"problem with {value!r}"] if value != "good" else []

    assert settings_problems(check, "bad") == settings_problems(check, "bad") == ("problem with 'bad'",)
    assert settings_problems(check, "good") == () and calls == ["bad", "good"]
    # Values that compare equal in Python but differ as settings are checked apart.
    for value in (1, True, 1.0, "1", [1], {"1": 1}, {1: 1}):
        settings_problems(check, value)
    assert len(calls) == 9
    monkeypatch.setattr(presentation, "SETTINGS_CHECKS_KEPT", 4)
    for number in range(10):
        settings_problems(check, f"value {number}")
    assert len(presentation._settings_checks) <= 4  # pylint: disable=protected-access
    settings_problems(check, "bad")  # pushed out by newer values: checked again
    assert calls[-1] == "bad"


def test_dates_in_templates_are_exactly_what_djangos_date_filter_shows():
    """Our engines' ``date`` keeps its answers per process: the same text as Django's, in every case."""
    instant = datetime(2026, 3, 1, 23, 30, tzinfo=fixed_zone.utc)
    with_time = "{{ when|date:'DATE_FORMAT' }} / {{ when|date:'DATETIME_FORMAT' }} / {{ when|date }}"
    cases = [(date(2026, 1, 31), "{{ when|date:'DATE_FORMAT' }} / {{ when|date }}"), (instant, with_time),
             (instant.astimezone(fixed_zone(timedelta(hours=2))), with_time),
             (datetime(2026, 3, 1, 23, 30), with_time), (None, with_time), ("", with_time), ("not a date", with_time)]
    django_engine = Engine(libraries={"i18n": "django.templatetags.i18n"})
    for language in ("en", "es", "ar"):
        for zone in ("UTC", "Asia/Tokyo"):
            with translation.override(language), timezone.override(zone):
                for value, template in cases:
                    expected = django_engine.from_string(template).render(Context({"when": value}))
                    for _ in range(2):  # the second time from what was kept
                        assert templates.engine.from_string(template).render(Context({"when": value})) == expected
    assert template_filters.date([1], "Y") == django_date([1], "Y")  # unhashable: Django's answer
    for day in range(template_filters.DATES_KEPT + 10):
        template_filters.date(date(2000, 1, 1) + timedelta(days=day), "DATE_FORMAT")
    kept = template_filters._formatted.cache_info()  # pylint: disable=protected-access
    assert kept.currsize <= template_filters.DATES_KEPT


def test_sentences_made_once_per_language_follow_the_language_of_each_render(env):
    """Script messages, fixed labels and field hints are kept per language: one block, three languages in turn."""
    usage = env.load(BLOCKS["goal_reflection"])
    block = env.block(usage)
    expected = {"en": ("Your goals are saved.", "At most 1000 characters."),
                "es": ("Tus metas se guardaron.", "Como máximo 1000 caracteres."),
                "ar": ("تم حفظ أهدافك.", None)}
    for _ in range(2):
        for language, (saved, hint) in expected.items():
            with translation.override(language):
                fragment = block.student_view({})
                assert hint is None or block.at_most_text(1000) == hint
            assert fragment.json_init_args["messages"]["saved_goals"] == saved


# Every block in states with text to show: dates, counts (plurals), included parts, notes.
SKILL_CHECK = ("<personalized_skill_check max_attempts='3' questions='[{\"id\": \"q1\", \"prompt\": \"1/2 + 1/4?\", "
               "\"kind\": \"single\", \"skill\": \"fractions\", \"choices\": [{\"id\": \"a\", \"text\": \"3/4\"}, "
               "{\"id\": \"b\", \"text\": \"2/6\"}], \"correct\": [\"a\"]}]'/>")
CHECK_IN = {"revision": 1, "progress": {"long": 1, "short-1": 2}, "helped": "The worked examples",
            "obstacles": "Too little time", "next_step": "Ten more sums"}
FLOWS = {  # block: (OLX, the learner's actions given the block as loaded)
    "self_assessment": (BLOCKS["self_assessment"], lambda block: [
        ("submit", {"ratings": {item["id"]: 1 for item in block.statements}, "evidence": {}}),
        ("submit", {"ratings": {item["id"]: 3 for item in block.statements}})]),
    "choice_board": (BLOCKS["choice_board"], lambda block: [
        ("choose", {"tiles": [tile["id"] for tile in block.tiles[:2]]}), ("commit", {}),
        ("mark_done", {"tile": block.tiles[0]["id"], "note": "Done <b>today</b>"})]),
    "goal_reflection": (BLOCKS["goal_reflection"], lambda block: [
        ("save_goals", GOALS), ("check_in", CHECK_IN),
        ("save_goals", {"revision": 2, "goals": dict(
            GOALS["goals"], long=dict(GOALS["goals"]["long"], text="Add any three fractions"))})]),
    "skill_check": (SKILL_CHECK, lambda block: [
        ("submit", {"answers": {"q1": ["b"]}}), ("submit", {"answers": {"q1": ["a"]}})]),
    "mastery_gate": (BLOCKS["mastery_gate"], lambda block: [("check_again", {})]),
}


@pytest.fixture
def renders_checked_against_django(monkeypatch):
    """
    Every render also made by Django's own engine, as any Django project makes one, under the same
    merged translation and time zone: the outputs must be equal.
    """
    checked = []
    ours = TemplateRenderer.render

    def render(self, name, context, i18n_service=None, time_zone=None):
        html = ours(self, name, context, i18n_service, time_zone)
        language = translation.get_language()
        with active_translation(self.translation(language, i18n_service)), \
                timezone.override(time_zone or fixed_zone.utc):
            expected = PLAIN_ENGINE.get_template(name).render(Context(context, autoescape=True))
        assert same_html(html, expected), f"{name} in {language}"
        checked.append(name)
        return html

    monkeypatch.setattr(TemplateRenderer, "render", render)
    return checked


@pytest.mark.parametrize("language", ["en", "es", "ar"])
@pytest.mark.parametrize("name", sorted(FLOWS))
def test_every_view_and_answer_renders_exactly_as_djangos_own_engine(env, renders_checked_against_django,
                                                                     language, name):
    xml, actions = FLOWS[name]
    usage = env.load(xml)
    with translation.override(language):
        env.block(usage).student_view({})
        for handler, payload in actions(env.block(usage)):
            status, data = call(env.block(usage), handler, payload)
            assert status == 200, data
            env.block(usage).student_view({})
    assert len(set(renders_checked_against_django)) >= 2  # the view and at least one answer's parts


def test_no_template_has_text_whose_line_starts_matter():
    """
    The CompactLoader strips every line: text whose spaces show (a ``<pre>`` or ``<textarea>``
    running over lines) or make a message id (a ``{% blocktrans %}`` over lines, not ``trimmed``)
    would change, so no template has one.
    """
    folder = templates.folder
    names = sorted(name for name in os.listdir(folder) if name.endswith(".html"))
    assert len(names) > 20
    for name in names:
        with open(os.path.join(folder, name), encoding="utf-8") as handle:
            source = handle.read()
        for element in re.finditer(r"<(pre|textarea)\b.*?</\1>", source, re.DOTALL):
            assert "\n" not in element.group(0), f"{name}: {element.group(0)[:60]}"
        for message in re.finditer(r"{% blocktrans(?P<options>[^%]*)%}(?P<text>.*?){% endblocktrans %}", source,
                                   re.DOTALL):
            assert "trimmed" in message.group("options") or "\n" not in message.group("text"), name
