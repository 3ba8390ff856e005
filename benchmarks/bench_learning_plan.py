"""
The learning plan's class grid and export with 1,000 and 100,000 learners: time, database queries
and the export's peak memory growth.

Runs the real WorkbenchRuntime on a SQLite file with a unit like the demo (self-assessment, skill
check, mastery gate, choice board, goal reflection, learning plan). Four kinds of learner are made
through the real handlers (confident and failing, unsure and passing, with and without a choice,
with goals), the plan's class summary is rebuilt from them (``rebuild_learning_plan_summaries``),
and their stored state rows and summary rows are copied, in bulk, to reach N learners (what the
handlers and the rebuild wrote). It then measures, as staff, the ``class_grid`` handler (one page
of 25, filtered to "stuck at a gate") and the class export (every matching learner) through the
plugin's streaming view (``/personalized_path/learning_plan/<plan>/class.csv``, Django's
``StreamingHttpResponse``, requested through Django's whole request path and consumed piece by piece
as a server sends it), on a fresh runtime each round, counting every database query; and the export
once more under tracemalloc for its peak memory growth. Up to
BENCH_STATE_MAX learners (default 10,000) the same two are also measured without the summary,
reading every learner's state (the path of a runtime without the plugin's app).

    .venv/bin/python benchmarks/bench_learning_plan.py          # BENCH_ROUNDS=3, BENCH_SIZES=1000,100000
"""
import io
import json
import os
import statistics
import sys
import time
import tracemalloc
from collections import Counter
from datetime import date, timedelta

import workbench_db
from queries import QueryCounter

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # this checkout's package, tests
workbench_db.setup("pp-bench-plan-")

from django.core.management import call_command  # noqa: E402  pylint: disable=wrong-import-position
from django.db import connection  # noqa: E402  pylint: disable=wrong-import-position
from django.test import Client  # noqa: E402  pylint: disable=wrong-import-position
from django.test.utils import override_settings  # noqa: E402  pylint: disable=wrong-import-position
from webob import Request  # noqa: E402  pylint: disable=wrong-import-position
from workbench.models import XBlockState  # noqa: E402  pylint: disable=wrong-import-position
from workbench.runtime import ID_MANAGER, WorkbenchRuntime  # noqa: E402  pylint: disable=wrong-import-position

from personalized_path.openedx.models import (  # noqa: E402  pylint: disable=wrong-import-position
    PlanLearnerFacet, PlanLearnerSummary, PlanSummaryCount)
from tests.builders import plan_unit_xml  # noqa: E402  pylint: disable=wrong-import-position

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
SIZES = tuple(int(size) for size in os.environ.get("BENCH_SIZES", "1000,100000").split(","))
STATE_MAX = int(os.environ.get("BENCH_STATE_MAX", "10000"))
CHUNK = 2000
SCENARIO = "plan-bench"


def usage(tag):
    return f"{SCENARIO}.{tag}.d0.u0"


def build():
    ID_MANAGER.set_scenario(SCENARIO)
    WorkbenchRuntime("author").parse_xml_string(plan_unit_xml(usage("personalized_skill_check")))


def call(user, tag, handler, body, method="POST"):
    runtime = WorkbenchRuntime(user)
    block = runtime.get_block(usage(tag))
    request = Request.blank("/?" + ("filter=stuck&stuck_days=0" if method == "GET" else ""), method=method,
                            body=json.dumps(body).encode() if method == "POST" else None,
                            headers={"Content-Type": "application/json"})
    response = runtime.handle(block, handler, request)
    assert response.status_code == 200, response.body[:300]
    return response


def archetypes():
    """Four learners made through the handlers; their rows are the templates for the rest."""
    for number in range(4):
        user = f"model-{number}"
        level = 4 if number % 2 == 0 else 1
        call(user, "personalized_self_assessment", "submit", {"ratings": {"s1": level, "s2": level}})
        answer = "b" if number % 2 == 0 else "a"
        call(user, "personalized_skill_check", "submit", {"answers": {"half": [answer], "why": ["x"]}})
        call(user, "personalized_mastery_gate", "check_again", {})
        if number < 2:
            call(user, "personalized_choice_board", "choose", {"tiles": ["one"]})
        if number == 0:
            soon = (date.today() + timedelta(days=30)).isoformat()
            call(user, "personalized_goal_reflection", "save_goals", {"revision": 0, "goals": {
                slot: {"text": "Add any two fractions", "smart": [], "target_date": soon}
                for slot in ("long", "short-1")}})
    return list(XBlockState.objects.filter(scope="usage", user_id__startswith="model-"))


def populate(rows, size):
    """Copies of the four learners' state rows and summary rows (with facets), up to ``size`` learners in all."""
    XBlockState.objects.filter(scope="usage", user_id__startswith="learner-").delete()
    PlanLearnerSummary.objects.filter(username__startswith="learner-").delete()
    models = {row.username: (row, list(row.facets.all())) for row in PlanLearnerSummary.objects.filter(
        username__startswith="model-")}
    for start in range(0, size - 4, CHUNK):
        numbers = range(start, min(start + CHUNK, size - 4))
        XBlockState.objects.bulk_create([
            XBlockState(scope=row.scope, scope_id=row.scope_id, user_id=f"learner-{number:06d}", scenario=row.scenario,
                        tag=row.tag, state=row.state)
            for number in numbers for row in rows if row.user_id == f"model-{number % 4}"])
        copies = []
        for number in numbers:
            model, _facets = models[f"model-{number % 4}"]
            copies.append(PlanLearnerSummary(
                plan_key=model.plan_key, username=f"learner-{number:06d}", learner_sort=f"learner-{number:06d}",
                **{name: getattr(model, name) for name in ("summaries", "stuck_since", "next_checkin_due",
                                                           "no_choice", "over", "under", "has_exception", "counted")}))
        PlanLearnerSummary.objects.bulk_create(copies)  # SQLite answers each new row's key
        PlanLearnerFacet.objects.bulk_create([
            PlanLearnerFacet(row=copy, plan_key=facet.plan_key, name=facet.name,
                             number=facet.number, learner_sort=copy.learner_sort)
            for copy, number in zip(copies, numbers) for facet in models[f"model-{number % 4}"][1]])
    counts = Counter(name for number in range(size - 4) for name in models[f"model-{number % 4}"][0].counted)
    counts.update(name for model, _facets in models.values() for name in model.counted)
    PlanSummaryCount.objects.all().delete()
    PlanSummaryCount.objects.bulk_create([PlanSummaryCount(plan_key=plan, name=name, learners=learners)
                                          for plan in {model.plan_key for model, _facets in models.values()}
                                          for name, learners in counts.items()])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def export_bytes():
    """
    The plugin's streaming view's answer read piece by piece, as a server sends it; its size in bytes
    and lines.
    """
    response = Client().get(f"/personalized_path/learning_plan/{usage('personalized_learning_plan')}/class.csv",
                            {"student": "staff-bench", "filter": "stuck", "stuck_days": 0})
    assert response.status_code == 200 and response.streaming
    lines = sent = 0
    for piece in response.streaming_content:
        sent += len(piece)
        lines += piece.count(b"\n")
    return sent, lines


def export_peak():
    """Peak memory growth (MiB, tracemalloc) while the export is made and read, and its size in MiB."""
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        sent, _lines = export_bytes()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return (peak - before) / 2 ** 20, sent / 2 ** 20


def measure(function):
    """Wall time, and this process's CPU time (what the grid costs when other work shares the machine)."""
    times, cpu, queries = [], [], []
    for _ in range(ROUNDS):
        counter = QueryCounter()
        with connection.execute_wrapper(counter):
            start, start_cpu = time.perf_counter(), time.process_time()
            function()
            times.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
        queries.append(counter.count)
    return {"min_ms": min(times), "median_ms": statistics.median(times), "cpu_ms": min(cpu),
            "queries": statistics.mean(queries)}


def main():
    build()
    rows = archetypes()
    call_command("rebuild_learning_plan_summaries", plan=[usage("personalized_learning_plan")], stdout=io.StringIO())
    results = []
    for size in SIZES:
        started = time.perf_counter()
        populate(rows, size)
        made = time.perf_counter() - started

        def grid(size=size):
            html = json.loads(call("staff-bench", "personalized_learning_plan", "class_grid",
                                   {"filter": "stuck", "stuck_days": 0}).body)["html"]
            assert f"of {size:,}".replace(",", "") in html.replace(",", "")

        def export(size=size):
            assert export_bytes()[1] > size // 2

        grid()
        cells = {"grid": measure(grid), "export": measure(export)}
        cells["peak_mib"], cells["export_mib"] = export_peak()
        if size <= STATE_MAX:
            with override_settings(PERSONALIZED_PATH_PLAN_SUMMARIES=""):  # every learner's state, as without the app
                cells["state_grid"], cells["state_export"] = measure(grid), measure(export)
        results.append((size, made, cells))
    print(f"Learning plan class view, {ROUNDS} rounds per cell, WorkbenchRuntime on SQLite, "
          f"Python {sys.version.split()[0]}")
    print(f"{'learners':>8} | {'class_grid ms best/median, CPU':>31} {'queries':>7} | "
          f"{'export view ms best/median, CPU':>31} {'queries':>7} | export peak growth MiB (of MiB sent)")
    for size, made, cells in results:
        line = [f"{cells[name]['min_ms']:>8.0f} / {cells[name]['median_ms']:<8.0f} {cells[name]['cpu_ms']:>8.0f}   "
                f"{cells[name]['queries']:>7.0f}" for name in ("grid", "export")]
        print(f"{size:>8} | {line[0]} | {line[1]} | {cells['peak_mib']:.1f} ({cells['export_mib']:.1f})"
              f"   [rows made in {made:.0f} s]")
    print("Without the summary (every learner's state read, as where the plugin's app is not installed):")
    for size, _made, cells in results:
        if "state_grid" in cells:
            line = [f"{cells[name]['min_ms']:>8.0f} / {cells[name]['median_ms']:<8.0f} {cells[name]['cpu_ms']:>8.0f}   "
                    f"{cells[name]['queries']:>7.0f}" for name in ("state_grid", "state_export")]
            print(f"{size:>8} | {line[0]} | {line[1]}")
    return results


if __name__ == "__main__":
    main()
