"""
Mastery gate evaluation cost with 1, 10, 50 and 200 sources.

Runs the real WorkbenchRuntime on a SQLite file: N skill checks, each submitted once by the
learner, and a gate naming all N as sources (the database is ANALYZEd after loading; see
``main``). For each N it measures ``gate.evaluate()`` (read every source's score on the server
and apply the rule) and a full locked ``student_view``, on a fresh runtime each round, counting
every database query with a Django execute wrapper. Queries on the learner's own state rows
(what the LMS keeps in StudentModule) are counted apart from definition rows (content and
settings: SQL in the workbench, the modulestore in the LMS). The workbench settings' field-data
service reads each state row once per request, as the LMS's FieldDataCache does.

    .venv/bin/python benchmarks/bench_mastery_gate.py            # BENCH_ROUNDS=20 by default
"""
import json
import os
import statistics
import sys
import time

import workbench_db

workbench_db.setup("pp-bench-gate-")

from django.db import connection  # noqa: E402  pylint: disable=wrong-import-position
from workbench.models import XBlockState  # noqa: E402  pylint: disable=wrong-import-position
from webob import Request  # noqa: E402  pylint: disable=wrong-import-position
from workbench.runtime import ID_MANAGER, WorkbenchRuntime  # noqa: E402  pylint: disable=wrong-import-position

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "20"))
SIZES = (1, 10, 50, 200)
LEARNER = "gate-bench-learner"
QUESTIONS = [{"id": "q1", "prompt": "1/2 + 1/4?", "kind": "single", "skill": "fractions",
              "choices": [{"id": "a", "text": "3/4"}, {"id": "b", "text": "2/6"}], "correct": ["a"]},
             {"id": "q2", "prompt": "1/3 + 1/3?", "kind": "single", "skill": "fractions",
              "choices": [{"id": "a", "text": "2/3"}, {"id": "b", "text": "2/6"}], "correct": ["a"]}]


def build(size):
    """A scenario with ``size`` skill checks (each answered once by the learner) and a gate over them."""
    scenario = f"gate-bench-{size}"
    ID_MANAGER.set_scenario(scenario)
    check = f"<personalized_skill_check questions='{json.dumps(QUESTIONS)}' attempts_allowed='3'/>"
    sources = [f"{scenario}.personalized_skill_check.d{index}.u0" for index in range(size)]
    xml = (f"<vertical_demo>{check * size}<personalized_mastery_gate sources='{json.dumps(sources)}' threshold='80'>"
           f"<html_demo><p>locked</p></html_demo></personalized_mastery_gate></vertical_demo>")
    root = WorkbenchRuntime("author").parse_xml_string(xml)
    gate = WorkbenchRuntime("author").get_block(root).children[-1]
    for source in sources:
        runtime = WorkbenchRuntime(LEARNER)
        block = runtime.get_block(source)
        request = Request.blank("/", method="POST", body=json.dumps({"answers": {"q1": ["a"], "q2": ["b"]}}).encode(),
                                headers={"Content-Type": "application/json"})
        response = runtime.handle(block, "submit", request)
        assert response.status_code == 200, response.body[:300]
    return gate


class QueryCounter:
    """Counts every query (CaptureQueriesContext keeps only the last 9,000, too few at 200 sources)."""

    def __init__(self):
        self.total = self.learner = 0

    def __call__(self, execute, sql, params, many, context):
        self.total += 1
        self.learner += LEARNER in [str(param) for param in (params or ())]
        return execute(sql, params, many, context)


def measure(function):
    times, total, learner = [], [], []
    for _ in range(ROUNDS):
        counter = QueryCounter()
        with connection.execute_wrapper(counter):
            start = time.perf_counter()
            function()
            times.append((time.perf_counter() - start) * 1000)
        total.append(counter.total)
        learner.append(counter.learner)
    return {"median_ms": statistics.median(times), "min_ms": min(times), "queries": statistics.mean(total),
            "learner_queries": statistics.mean(learner)}


def main():
    rows = []
    for size in SIZES:
        gate = build(size)

        def evaluate(gate=gate, size=size):
            evaluation = WorkbenchRuntime(LEARNER).get_block(gate).evaluate()
            assert len(evaluation.results) == size and not evaluation.unlocked
            assert all(result.reading.value == 50.0 for result in evaluation.results)

        def view(gate=gate):
            runtime = WorkbenchRuntime(LEARNER)
            html = runtime.render(runtime.get_block(gate), "student_view", {}).body_html()
            assert "Locked for now" in html and "<p>locked</p>" not in html

        # The workbench table has only single-column indexes. Without statistics SQLite looks rows up
        # by the index on the block type, so every read scans all rows of that type and the cost
        # grows with the square of the number of skill checks in the database, whatever the gate
        # does. With statistics (as any maintained database has) it uses the index on the block id.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        evaluate()  # warm template and translation caches
        view()
        rows.append((size, measure(evaluate), measure(view)))

    print(f"Mastery gate, {ROUNDS} rounds per cell, WorkbenchRuntime on SQLite, Python {sys.version.split()[0]}")
    print("  ms: best of the rounds / median (the best is the least disturbed by other processes)")
    print("  learner q: queries on the learner's own state rows (StudentModule in the LMS); definition q: the")
    print("  other queries, on content and settings rows (SQL in the workbench; the modulestore in the LMS)")
    header = (f"{'sources':>7} | {'evaluate ms':>15} {'learner q':>9} {'definition q':>12} |"
              f" {'locked view ms':>15} {'queries':>7}")
    print(header)
    print("-" * len(header))

    def both(cell):
        return f"{cell['min_ms']:.1f} / {cell['median_ms']:.1f}"
    for size, evaluation, view in rows:
        definition = evaluation["queries"] - evaluation["learner_queries"]
        print(f"{size:>7} | {both(evaluation):>15} {evaluation['learner_queries']:>9.0f} {definition:>12.0f} | "
              f"{both(view):>15} {view['queries']:>7.0f}")
    first, last = rows[0], rows[-1]
    added = last[0] - first[0]
    per_source = (last[1]["min_ms"] - first[1]["min_ms"]) / added
    learner = (last[1]["learner_queries"] - first[1]["learner_queries"]) / added
    definition = ((last[1]["queries"] - last[1]["learner_queries"])
                  - (first[1]["queries"] - first[1]["learner_queries"])) / added
    print(f"per added source ({first[0]} -> {last[0]}): {per_source:.3f} ms best case (goal <= 0.5), "
          f"{learner:.2f} learner-state reads (goal <= 1), {definition:.2f} definition reads "
          "(content/settings: SQL here, the modulestore in the LMS)")
    return rows


if __name__ == "__main__":
    main()
