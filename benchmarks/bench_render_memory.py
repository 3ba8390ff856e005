"""
Memory and time over 10,000 renders per block (``BENCH_RENDERS`` to change), alternating English
and Spanish, on one block instance in the workbench runtime: what a long-lived LMS worker does to
the compiled templates and translation objects. Prints CPU milliseconds per render in the first
and the last thousand, their ratio, and the growth of resident memory in between.

    .venv-bench/bin/python benchmarks/bench_render_memory.py
"""
import gc
import os
import sys
import time

import workbench_db

workbench_db.setup("pp-bench-render-")

from django.utils import translation  # noqa: E402  pylint: disable=wrong-import-position
from workbench.runtime import ID_MANAGER, WorkbenchRuntime  # noqa: E402  pylint: disable=wrong-import-position

RENDERS = int(os.environ.get("BENCH_RENDERS", "10000"))
BATCH = 1000
BLOCKS = {
    "self-assessment": "<personalized_self_assessment show_class_comparison='true'/>",
    "choice board": "<personalized_choice_board/>",
    "skill check": "<personalized_skill_check/>",
    "goal reflection": "<personalized_goal_reflection/>",
    "mastery gate": "<personalized_mastery_gate><html_demo><p>inside</p></html_demo></personalized_mastery_gate>",
}


def resident_bytes():
    with open("/proc/self/statm", encoding="ascii") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def run(name, xml):
    ID_MANAGER.set_scenario("render-" + name.replace(" ", "-"))
    usage = WorkbenchRuntime("author").parse_xml_string(xml)
    block = WorkbenchRuntime("render-learner").get_block(usage)
    for index in range(50):  # warm: compiled templates, one translation per language
        with translation.override("es" if index % 2 else "en"):
            block.student_view({})
    batches, memory = [], []
    for batch in range(RENDERS // BATCH):
        start = time.process_time()
        for index in range(BATCH):
            with translation.override("es" if index % 2 else "en"):
                block.student_view({})
        batches.append((time.process_time() - start) * 1000 / BATCH)
        if batch in (0, RENDERS // BATCH - 1):
            gc.collect()
            memory.append(resident_bytes())
    return batches[0], batches[-1], memory[-1] - memory[0]


def main():
    print(f"{RENDERS} renders per block (student_view, English and Spanish in turn), Python {sys.version.split()[0]}")
    header = f"{'block':16} | {'first 1k ms':>11} {'last 1k ms':>10} {'last/first':>10} | {'RSS growth KiB':>14}"
    print(header)
    print("-" * len(header))
    for name, xml in BLOCKS.items():
        first, last, growth = run(name, xml)
        print(f"{name:16} | {first:>11.3f} {last:>10.3f} {last / first:>10.2f} | {growth / 1024:>14.0f}")


if __name__ == "__main__":
    main()
