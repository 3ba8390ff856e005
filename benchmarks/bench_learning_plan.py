"""
The learning plan's class grid with 1,000 and 10,000 learners: time and database queries.

Runs the real WorkbenchRuntime on a SQLite file with a unit like the demo (self-assessment, skill
check, mastery gate, choice board, goal reflection, learning plan). Four kinds of learner are made
through the real handlers (confident and failing, unsure and passing, with and without a choice,
with goals), and their stored rows are copied to reach N learners (the state is what the handlers
wrote). It then measures, as staff, the ``class_grid`` handler (one page of 25, filtered to
"stuck at a gate") and ``export_csv`` (every matching learner), on a fresh runtime each round,
counting every database query.

    .venv/bin/python benchmarks/bench_learning_plan.py          # BENCH_ROUNDS=3 by default
"""
import json
import os
import statistics
import sys
import time
from datetime import date, timedelta

import workbench_db
from queries import QueryCounter

workbench_db.setup("pp-bench-plan-")

from django.db import connection  # noqa: E402  pylint: disable=wrong-import-position
from webob import Request  # noqa: E402  pylint: disable=wrong-import-position
from workbench.models import XBlockState  # noqa: E402  pylint: disable=wrong-import-position
from workbench.runtime import ID_MANAGER, WorkbenchRuntime  # noqa: E402  pylint: disable=wrong-import-position

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
SIZES = tuple(int(size) for size in os.environ.get("BENCH_SIZES", "1000,10000").split(","))
SCENARIO = "plan-bench"
STATEMENTS = [{"id": "s1", "text": "I can add fractions", "skill": "fractions"},
              {"id": "s2", "text": "I can explain halves", "skill": "reasoning"}]
QUESTIONS = [{"id": "half", "prompt": "1/2?", "kind": "single", "skill": "fractions",
              "choices": [{"id": "a", "text": "2/4"}, {"id": "b", "text": "1/3"}], "correct": ["a"]},
             {"id": "why", "prompt": "Same as 1/2?", "kind": "single", "skill": "reasoning",
              "choices": [{"id": "x", "text": "3/6"}, {"id": "y", "text": "2/3"}], "correct": ["x"]}]
TILES = [{"id": "one", "title": "One", "format": "video", "points": 5, "tier": "may"},
         {"id": "two", "title": "Two", "format": "project", "points": 5, "tier": "may"}]
ROUTES = [{"id": "practice", "label": "Practice", "min": 0, "max": 90},
          {"id": "stretch", "label": "Stretch", "min": 90, "max": 100}]


def usage(tag):
    return f"{SCENARIO}.{tag}.d0.u0"


def build():
    ID_MANAGER.set_scenario(SCENARIO)
    check = usage("personalized_skill_check")
    xml = ("<vertical_demo>"
           f"<personalized_self_assessment statements='{json.dumps(STATEMENTS)}'/>"
           f"<personalized_skill_check max_attempts='0' questions='{json.dumps(QUESTIONS)}'/>"
           f"<personalized_mastery_gate display_name='Lesson' sources='[\"{check}\"]' threshold='100' "
           f"skill_checks='[\"{check}\"]' skills='[{{\"skill\": \"fractions\", \"threshold\": 60}}]' "
           f"routes='{json.dumps(ROUTES)}'><html_demo><p>open</p></html_demo></personalized_mastery_gate>"
           f"<personalized_choice_board rule='k_of_n' choose_count='1' tiles='{json.dumps(TILES)}'/>"
           "<personalized_goal_reflection/><personalized_learning_plan/></vertical_demo>")
    WorkbenchRuntime("author").parse_xml_string(xml)


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
    """Copies of the four learners' rows, up to ``size`` learners in all."""
    XBlockState.objects.filter(scope="usage", user_id__startswith="learner-").delete()
    copies = []
    for number in range(size - 4):
        for row in rows:
            if row.user_id == f"model-{number % 4}":
                copies.append(XBlockState(scope=row.scope, scope_id=row.scope_id, user_id=f"learner-{number:05d}",
                                          scenario=row.scenario, tag=row.tag, state=row.state))
    XBlockState.objects.bulk_create(copies, batch_size=2000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


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
    results = []
    for size in SIZES:
        populate(rows, size)

        def grid(size=size):
            html = json.loads(call("staff-bench", "personalized_learning_plan", "class_grid",
                                   {"filter": "stuck", "stuck_days": 0}).body)["html"]
            assert f"of {size:,}".replace(",", "") in html.replace(",", "")

        def export():
            text = call("staff-bench", "personalized_learning_plan", "export_csv", None, method="GET").text
            assert text.count("\n") > size // 2

        grid()
        results.append((size, measure(grid), measure(export)))
    print(f"Learning plan class view, {ROUNDS} rounds per cell, WorkbenchRuntime on SQLite, "
          f"Python {sys.version.split()[0]}")
    print(f"{'learners':>8} | {'class_grid ms best/median, CPU':>31} {'queries':>7} | "
          f"{'export_csv ms best/median, CPU':>31} {'queries':>7}")
    for size, grid_cell, export_cell in results:
        cells = [f"{cell['min_ms']:>8.0f} / {cell['median_ms']:<8.0f} {cell['cpu_ms']:>8.0f}   {cell['queries']:>7.0f}"
                 for cell in (grid_cell, export_cell)]
        print(f"{size:>8} | {cells[0]} | {cells[1]}")
    return results


if __name__ == "__main__":
    main()
