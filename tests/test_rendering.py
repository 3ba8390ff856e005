"""
Rendering: templates compile once per process and translate with one merged catalog per
language, so repeated renders do not grow memory, and translations are exactly those of the
block's i18n service on top of Django's. (Time per render is measured in
benchmarks/bench_render_memory.py: no test here times anything.)
"""
import gc
import os

import pytest
from django.utils import translation
from django.utils.translation import trans_real

from personalized_path.base import templates
from tests.harness import call

BLOCKS = {
    "self_assessment": "<personalized_self_assessment show_class_comparison='true'/>",
    "choice_board": "<personalized_choice_board/>",
    "skill_check": "<personalized_skill_check/>",
    "goal_reflection": "<personalized_goal_reflection/>",
    "mastery_gate": "<personalized_mastery_gate><html_demo><p>inside</p></html_demo></personalized_mastery_gate>",
}
RENDERS = 2000  # per block, alternating English and Spanish
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
