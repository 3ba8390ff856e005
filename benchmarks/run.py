"""
Side-by-side benchmark: our blocks against xblock-poll's poll and survey in ONE workbench.

Run with ``make bench`` (it builds .venv-bench with xblock-poll, which the project itself never
installs). Each case renders ``student_view`` and calls a state-changing handler for fresh
learners through the real WorkbenchRuntime on a SQLite database, counting database queries per
call with Django's CaptureQueriesContext. Results print as a table and go to
benchmarks/results/latest.json.
"""
import json
import os
import statistics
import sys
import time
from dataclasses import dataclass, field

import workbench_db

workbench_db.setup("pp-bench-")

from django.db import connection  # noqa: E402  pylint: disable=wrong-import-position
from django.test.utils import CaptureQueriesContext  # noqa: E402  pylint: disable=wrong-import-position
from webob import Request  # noqa: E402  pylint: disable=wrong-import-position
from workbench.runtime import ID_MANAGER, WorkbenchRuntime  # noqa: E402  pylint: disable=wrong-import-position

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "150"))
HERE = os.path.dirname(os.path.abspath(__file__))


@dataclass
class Case:
    """One block, one view and one handler with a payload that a fresh learner may send."""

    name: str
    xml: str
    handler: str
    payload: dict
    baseline: str = ""  # name of the case this one is compared with
    usage: str = field(default="", init=False)


SURVEY_QUESTIONS = [["q1", {"label": "I can compare fractions", "img": None, "img_alt": None}],
                    ["q2", {"label": "I can add fractions", "img": None, "img_alt": None}],
                    ["q3", {"label": "I can explain equivalence", "img": None, "img_alt": None}]]
SURVEY_ANSWERS = [["a1", "Not yet"], ["a2", "With help"], ["a3", "On my own"], ["a4", "Could teach"]]

CASES = [
    Case("xblock-poll survey", f"<survey questions='{json.dumps(SURVEY_QUESTIONS)}' "
                               f"answers='{json.dumps(SURVEY_ANSWERS)}'/>",
         "vote", {"q1": "a1", "q2": "a2", "q3": "a3"}),
    Case("xblock-poll poll", "<poll/>", "vote", {"choice": "R"}),
    Case("self-assessment", "<personalized_self_assessment statements='" + json.dumps([
        {"id": "compare", "text": "I can compare fractions", "skill": "fractions"},
        {"id": "add", "text": "I can add fractions", "skill": "fractions"},
        {"id": "explain", "text": "I can explain equivalence", "skill": "reasoning"}])
         + "' show_class_comparison='true'/>",
         "submit", {"ratings": {"compare": 1, "add": 2, "explain": 3}, "evidence": {"add": "page 4"}},
         baseline="xblock-poll survey"),
]
EXTRA_CASES = os.path.join(HERE, "cases.json")  # later blocks add theirs here


def load_extra_cases():
    if not os.path.exists(EXTRA_CASES):
        return []
    with open(EXTRA_CASES, encoding="utf-8") as handle:
        return [Case(**case) for case in json.load(handle)]


def measure(function, rounds):
    """Median and 90th percentile milliseconds, and queries per call."""
    times, queries = [], []
    for index in range(rounds):
        connection.queries_log.clear()  # the log keeps 9,000 entries; a full log miscounts
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            function(index)
            times.append((time.perf_counter() - start) * 1000)
        queries.append(len(captured.captured_queries))
    times.sort()
    return {"median_ms": round(statistics.median(times), 3), "p90_ms": round(times[int(0.9 * len(times)) - 1], 3),
            "queries": round(statistics.mean(queries), 2)}


def run_case(case):
    ID_MANAGER.set_scenario("bench-" + case.name.replace(" ", "-"))
    case.usage = WorkbenchRuntime("author").parse_xml_string(case.xml)

    def render(index):
        runtime = WorkbenchRuntime(f"{case.name}-viewer-{index}")
        block = runtime.get_block(case.usage)
        runtime.render(block, "student_view", {}).body_html()

    def handle(index):
        runtime = WorkbenchRuntime(f"{case.name}-learner-{index}")
        block = runtime.get_block(case.usage)
        request = Request.blank("/", method="POST", body=json.dumps(case.payload).encode("utf-8"),
                                headers={"Content-Type": "application/json"})
        response = runtime.handle(block, case.handler, request)
        assert response.status_code == 200, (case.name, response.body[:300])
        body = json.loads(response.body)
        assert not body.get("errors"), (case.name, body)

    render(-1)  # warm caches (templates, translations) before measuring
    return {"render": measure(render, ROUNDS), "handler": measure(handle, ROUNDS)}


def main():
    cases = CASES + load_extra_cases()
    results = {case.name: run_case(case) for case in cases}
    header = (f"{'case':28} {'view median ms':>15} {'queries':>8} {'handler median ms':>18} {'queries':>8}"
              "  ratio vs baseline")
    print(f"{ROUNDS} rounds per measurement, SQLite, Python {sys.version.split()[0]}")
    print(header)
    print("-" * len(header))
    for case in cases:
        result = results[case.name]
        ratio = ""
        if case.baseline:
            base = results[case.baseline]
            ratio = (f"view x{result['render']['median_ms'] / base['render']['median_ms']:.2f}, "
                     f"handler x{result['handler']['median_ms'] / base['handler']['median_ms']:.2f}  ({case.baseline})")
        print(f"{case.name:28} {result['render']['median_ms']:>15} {result['render']['queries']:>8} "
              f"{result['handler']['median_ms']:>18} {result['handler']['queries']:>8}  {ratio}")
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    with open(os.path.join(HERE, "results", "latest.json"), "w", encoding="utf-8") as handle:
        json.dump({"rounds": ROUNDS, "results": results}, handle, indent=2)


if __name__ == "__main__":
    main()
