"""
The learning plan's class summary in the workbench's real database (the plugin's tables and
migration): the grid and the export give the same answers from the summary as from learner state,
the summary kept with each learner's write equals one rebuilt from learner state, the rebuild
command, the export streamed, and the plugin's streaming view of the export (openedx/views.py).
"""
import csv
import inspect
import itertools
import io
import json
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from webob import Request
from workbench.runtime import ID_MANAGER, WorkbenchRuntime

from personalized_path.openedx.models import PlanLearnerFacet, PlanLearnerSummary, PlanSummaryConfig, PlanSummaryCount
from personalized_path.openedx.summaries import config_digest
from personalized_path.openedx.tasks import rebuild_learning_plan_summary
from personalized_path.workbench.services import DAYS_LATER
from tests.builders import plan_unit_xml

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("course")]

PLAN = GATE = ""
SCENARIOS = (f"plan-summary-{number}" for number in itertools.count())
SCENARIO = ""  # each test's own scenario (the workbench numbers a scenario's blocks once per process)
LEARNERS = ["Ann", "bob", "Cleo", "dan", "Eve", "finn", "Gus", "hal"]
QUERIES = [{}, {"filter": "stuck", "stuck_days": 0}, {"filter": "stuck", "stuck_days": 3},
           {"filter": "stuck", "stuck_days": 30}, {"filter": "no_choice"}, {"filter": "overdue"},
           {"filter": "over"}, {"filter": "under"}, {"filter": "exception"},
           {"sort": "learner", "descending": True}, {"sort": "stuck_days"}, {"sort": "stuck_days", "descending": True},
           {"sort": "skill:fractions"}, {"sort": "skill:fractions", "descending": True},
           {"sort": "skill:reasoning", "page_size": 3, "page": 2}, {"search": "A"}, {"page_size": 3, "page": 3}]


def usage(tag):
    return f"{SCENARIO}.{tag}.d0.u0"


@pytest.fixture
def course():
    global SCENARIO, PLAN, GATE  # pylint: disable=global-statement
    SCENARIO = next(SCENARIOS)
    PLAN, GATE = usage("personalized_learning_plan"), usage("personalized_mastery_gate")
    ID_MANAGER.set_scenario(SCENARIO)
    WorkbenchRuntime("author").parse_xml_string(plan_unit_xml(usage("personalized_skill_check")))
    yield
    DAYS_LATER.set(0)


def call(user, tag, handler, body=None, query=""):
    runtime = WorkbenchRuntime(user)
    block = runtime.get_block(usage(tag))
    method = "POST" if body is not None else "GET"
    request = Request.blank("/?" + query, method=method, body=json.dumps(body).encode() if body is not None else None,
                            headers={"Content-Type": "application/json"})
    response = runtime.handle(block, handler, request)
    assert response.status_code == 200, response.body[:300]
    return response


def act(number, learner):
    """One learner's work, varied by ``number``: ratings, answers, the gate reached, a choice, goals."""
    level = 4 if number % 2 == 0 else 1
    call(learner, "personalized_self_assessment", "submit", {"ratings": {"s1": level, "s2": 5 - level}})
    if number % 4 != 3:
        call(learner, "personalized_skill_check", "submit",
             {"answers": {"half": ["b" if number % 3 == 0 else "a"], "why": ["x"]}})
        call(learner, "personalized_mastery_gate", "check_again", {})
    if number % 3 == 1:
        call(learner, "personalized_choice_board", "choose", {"tiles": ["one"]})
    if number % 4 == 0:
        call(learner, "personalized_goal_reflection", "save_goals", {"revision": 0, "goals": {
            slot: {"text": "Add any two fractions", "smart": [], "target_date": "2030-01-01"}
            for slot in ("long", "short-1")}})


def grid(query):
    return json.loads(call("staff_1", "personalized_learning_plan", "class_grid", query).body)["html"]


def export(query):
    text = "&".join(f"{key}={str(value).lower() if isinstance(value, bool) else value}" for key, value in query.items())
    return call("staff_1", "personalized_learning_plan", "export_csv", query=text).body.decode("utf-8")


def answers():
    return [(grid(query), export(query)) for query in QUERIES]


def every_learners_state_read(queries):
    """Whether the user-state client read a block's state of every learner (iter_all_for_block)."""
    return any('NOT ("workbench_xblockstate"."user_id" IS NULL)' in query["sql"]
               for query in queries.captured_queries)


def stored_summary():
    """Every row of the plan's summary, without its database keys and times, in name order."""
    rows = []
    for row in PlanLearnerSummary.objects.filter(plan_key=PLAN).order_by("username"):
        facets = sorted((facet.name, facet.number) for facet in row.facets.all())
        rows.append((row.username, row.summaries, row.stuck_since, row.next_checkin_due, row.no_choice, row.over,
                     row.under, row.has_exception, sorted(row.counted), facets))
    counts = {name: learners for name, learners in PlanSummaryCount.objects.filter(plan_key=PLAN).values_list(
        "name", "learners") if learners}
    return rows, counts


def class_of_eight():
    for number, learner in enumerate(LEARNERS[:6]):
        act(number, learner)
    DAYS_LATER.set(10)  # ten days on: the gates reached are stuck for 10 days, the first check-ins overdue
    call("staff_1", "personalized_learning_plan", "apply_exception",
         {"learner": "bob", "gate": GATE, "action": "unlock", "reason": "Was ill"})
    for number, learner in enumerate(LEARNERS[6:], start=6):
        act(number, learner)


def test_the_summary_tables_are_migrated():
    """The plugin's migration created the tables (pytest-django migrates) and matches the models."""
    tables = set(connection.introspection.table_names())
    assert {"personalized_path_plansummaryconfig", "personalized_path_planlearnersummary",
            "personalized_path_planlearnerfacet"} <= tables
    call_command("makemigrations", "personalized_path", "--check", "--dry-run", verbosity=0)


def test_grid_and_export_are_the_same_from_the_summary_and_from_learner_state():
    class_of_eight()
    with CaptureQueriesContext(connection) as queries, override_settings(PERSONALIZED_PATH_PLAN_REBUILD=""):
        from_state = answers()  # not rebuilt yet, nor asked to be: read from learner state
    assert every_learners_state_read(queries)
    assert PlanSummaryConfig.objects.get(plan_key=PLAN).built_digest == ""
    with override_settings(PERSONALIZED_PATH_PLAN_SUMMARIES=""):  # a runtime without the plugin's store
        assert answers() == from_state
        assert not PlanLearnerSummary.objects.exists()
    call_command("rebuild_learning_plan_summaries", plan=[PLAN], stdout=io.StringIO())
    with CaptureQueriesContext(connection) as queries:
        from_summary = answers()
    assert not every_learners_state_read(queries)
    assert from_summary == from_state
    assert "8 shown of 8" in from_summary[0][0] and "Ann" in from_summary[0][1]
    assert sum(1 for _ in csv.reader(io.StringIO(from_summary[1][1]))) > 2  # some stuck learners, and a header
    assert "bob" in from_summary[8][1] and "unlock by staff_1" in from_summary[8][1]


def test_the_summary_kept_with_each_write_equals_one_rebuilt_from_learner_state():
    for number, learner in enumerate(LEARNERS[:3]):
        act(number, learner)
    call_command("rebuild_learning_plan_summaries", plan=[PLAN], stdout=io.StringIO())
    # Learners new and known keep working, staff make exceptions, days pass.
    for number, learner in enumerate(LEARNERS[3:], start=3):
        act(number, learner)
    act(5, "Ann")
    DAYS_LATER.set(9)
    call("staff_1", "personalized_learning_plan", "apply_exception",
         {"learner": "Cleo", "gate": GATE, "action": "route", "route": "stretch", "reason": "Knows it"})
    call("staff_1", "personalized_learning_plan", "apply_exception",
         {"learner": "dan", "gate": GATE, "action": "unlock", "reason": "Was ill"})
    call("dan", "personalized_choice_board", "choose", {"tiles": ["two"]})
    kept = stored_summary()
    assert len(kept[0]) == len(LEARNERS) and kept[1]["learners"] == len(LEARNERS)
    assert PlanSummaryConfig.objects.get(plan_key=PLAN).built_digest  # still current: the grid reads it
    call_command("rebuild_learning_plan_summaries", course=[SCENARIO], stdout=io.StringIO())
    assert stored_summary() == kept


def test_the_rebuild_command_names_what_it_rebuilt():
    for number, learner in enumerate(LEARNERS[:4]):
        act(number, learner)
    out = io.StringIO()
    call_command("rebuild_learning_plan_summaries", course=[SCENARIO], stdout=out)
    assert f"{PLAN}: 4 learners in" in out.getvalue()
    assert PlanLearnerSummary.objects.filter(plan_key=PLAN).count() == 4
    assert PlanLearnerFacet.objects.filter(plan_key=PLAN, name="skill:fractions").count() == 4
    with pytest.raises(CommandError):
        call_command("rebuild_learning_plan_summaries", stdout=io.StringIO())
    out = io.StringIO()
    call_command("rebuild_learning_plan_summaries", course=["no-such-course"], stdout=out)
    assert "No learning plan found." in out.getvalue()


def test_a_failed_save_changes_no_summary():
    """A learner's request refused after its change (too large to keep) leaves the summary as it was."""
    act(0, "Ann")
    call_command("rebuild_learning_plan_summaries", plan=[PLAN], stdout=io.StringIO())
    before = stored_summary()
    runtime = WorkbenchRuntime("Ann")
    block = runtime.get_block(usage("personalized_goal_reflection"))
    request = Request.blank("/", method="POST", headers={"Content-Type": "application/json"}, body=json.dumps(
        {"revision": 1, "goals": {"long": {"text": "x" * 100_000, "smart": [], "target_date": "2030-01-01"}}}).encode())
    assert runtime.handle(block, "save_goals", request).status_code == 400
    assert stored_summary() == before


def test_the_export_is_streamed_in_pieces():
    for number, learner in enumerate(LEARNERS):
        act(number, learner)
    call_command("rebuild_learning_plan_summaries", plan=[PLAN], stdout=io.StringIO())
    runtime = WorkbenchRuntime("staff_1")
    block = runtime.get_block(PLAN)
    response = runtime.handle(block, "export_csv", Request.blank("/"))
    assert inspect.isgenerator(response.app_iter)  # an iterator, not one body
    assert response.content_disposition == 'attachment; filename="class-plan.csv"'
    pieces = list(response.app_iter)
    assert all(isinstance(piece, bytes) for piece in pieces)
    lines = b"".join(pieces).decode("utf-8").splitlines()
    assert len(lines) == len(LEARNERS) + 1 and lines[1].startswith("Ann,")


def export_view(student, query="", plan=None):
    client = Client()
    client.cookies["pp_days_later"] = str(DAYS_LATER.get())  # the workbench's clock for this request
    return client.get(f"/personalized_path/learning_plan/{plan or PLAN}/class.csv?student={student}&{query}")


def test_the_plugins_view_streams_the_handlers_csv_to_staff_only():
    class_of_eight()
    call_command("rebuild_learning_plan_summaries", plan=[PLAN], stdout=io.StringIO())
    for query in ("", "filter=stuck&stuck_days=0", "sort=skill:fractions&descending=true", "search=a"):
        response = export_view("staff_1", query)
        assert response.status_code == 200 and response.streaming  # Django's StreamingHttpResponse
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"] == 'attachment; filename="class-plan.csv"'
        pairs = dict(item.split("=") for item in query.split("&") if item)
        assert b"".join(response.streaming_content).decode("utf-8") == export(pairs)
    refused = export_view("Ann")
    assert refused.status_code == 403 and not refused.streaming and b"Ann" not in refused.content
    assert export_view("staff_1", plan=usage("personalized_goal_reflection")).status_code == 404
    assert export_view("staff_1", plan=f"{SCENARIO}.personalized_learning_plan.d9.u9").status_code == 404
    bad = export_view("staff_1", "filter=everyone")
    assert bad.status_code == 400 and b"filter" in bad.content  # the handler's sentence for a bad query


def test_the_staff_page_links_its_export_to_the_view_where_it_is_served_else_to_the_handler():
    runtime = WorkbenchRuntime("staff_1")
    view = f"/personalized_path/learning_plan/{PLAN}/class.csv?student=staff_1"
    assert view in runtime.render(runtime.get_block(PLAN), "student_view").content
    with override_settings(PERSONALIZED_PATH_CLASS_EXPORT_URL=""):  # a runtime without the plugin's views
        runtime = WorkbenchRuntime("staff_1")
        page = runtime.render(runtime.get_block(PLAN), "student_view").content
    assert view not in page and f"/handler/{PLAN}/export_csv/?student=staff_1" in page


def test_a_summary_that_cannot_be_written_never_fails_a_learners_save():
    """The summary is derived: where it cannot be written (its table gone here), learners' saves go on,
    and the plan's summary is marked stale, so the grid reads learner state until the next rebuild."""
    act(0, "Ann")
    call_command("rebuild_learning_plan_summaries", plan=[PLAN], stdout=io.StringIO())
    with connection.cursor() as cursor:  # undone with the test's transaction
        cursor.execute("DROP TABLE personalized_path_planlearnerfacet")
    act(1, "bob")
    assert PlanSummaryConfig.objects.get(plan_key=PLAN).built_digest == ""
    assert not PlanLearnerSummary.objects.filter(username="bob").exists()
    assert "2 shown of 2" in grid({})


def test_a_new_title_keeps_the_summary_in_use_and_a_new_source_sets_it_aside():
    act(0, "Ann")
    call_command("rebuild_learning_plan_summaries", plan=[PLAN], stdout=io.StringIO())
    config = PlanSummaryConfig.objects.get(plan_key=PLAN)
    renamed = dict(config.config, sources=[dict(source, title="Renamed", routes=[
        dict(route, label="Renamed") for route in source["routes"]]) for source in config.config["sources"]])
    assert config_digest(renamed) == config.digest == config.built_digest  # titles are read as they are now
    fewer = dict(config.config, sources=config.config["sources"][1:])
    assert config_digest(fewer) != config.digest
    with CaptureQueriesContext(connection) as queries:
        assert "1 shown of 1" in grid({})
    assert not every_learners_state_read(queries)
    PlanSummaryConfig.objects.filter(plan_key=PLAN).update(built_digest=config_digest(fewer))  # built for others
    with CaptureQueriesContext(connection) as queries:
        assert "1 shown of 1" in grid({})
    assert every_learners_state_read(queries)  # until the next rebuild


def test_a_plan_out_of_date_asks_once_for_its_rebuild_and_reads_its_rows_once_done(django_capture_on_commit_callbacks):
    """
    The first staff view that finds the rows out of date asks for a rebuild (PERSONALIZED_PATH_PLAN_REBUILD,
    once the request commits) and says the view is being brought up to date; once it ran, the rows are read.
    """
    for number, learner in enumerate(LEARNERS[:4]):
        act(number, learner)
    with override_settings(PERSONALIZED_PATH_PLAN_REBUILD=""):  # nothing to ask: the command alone rebuilds
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            assert "4 shown of 4" in grid({}) and "being brought up to date" not in grid({})
        assert not callbacks
    with django_capture_on_commit_callbacks(execute=True) as callbacks, CaptureQueriesContext(connection) as queries:
        pending = grid({})
        assert grid({}) == pending  # asked once, not on every view
        assert not PlanLearnerSummary.objects.filter(plan_key=PLAN).exists()  # not before the request commits
    assert len(callbacks) == 1 and every_learners_state_read(queries)
    assert "4 shown of 4" in pending and "being brought up to date" in pending
    config = PlanSummaryConfig.objects.get(plan_key=PLAN)
    assert config.built_digest == config.digest and PlanLearnerSummary.objects.filter(plan_key=PLAN).count() == 4
    with CaptureQueriesContext(connection) as queries:
        done = grid({})
    assert not every_learners_state_read(queries)
    assert done == re.sub(r'<p class="pp-plan-pending">.*?</p>', "", pending)


def test_the_rebuild_task_of_a_plan_no_longer_there_logs_and_rebuilds_nothing(caplog):
    for number, learner in enumerate(LEARNERS[:2]):
        act(number, learner)
    assert rebuild_learning_plan_summary(PLAN) == 2
    assert rebuild_learning_plan_summary(f"{SCENARIO}-deleted.personalized_learning_plan.d0.u0") is None
    assert "could not be loaded: its class summary is not rebuilt" in caplog.text


def test_a_cache_that_fails_asks_for_no_rebuild_and_the_staff_page_still_shows_the_grid(caplog):
    act(0, "Ann")
    missing = {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "no_such_cache_table"}
    with override_settings(CACHES={"default": missing}):
        html = WorkbenchRuntime("staff_1").get_block(PLAN).student_view({}).content  # the staff page
    assert "1 shown of 1" in html and "being brought up to date" not in html
    assert "its class summary's rebuild could not be asked for" in caplog.text
    assert PlanSummaryConfig.objects.get(plan_key=PLAN).built_digest == ""


def test_a_staff_page_with_saved_groups_reads_no_learners_state_until_they_are_opened():
    """The grid reads the summary; the saved grouping (which reads the class) waits for ``saved_groups``."""
    for number, learner in enumerate(LEARNERS[:4]):
        act(number, learner)
    call_command("rebuild_learning_plan_summaries", plan=[PLAN], stdout=io.StringIO())
    proposal = json.loads(call("staff_1", "personalized_learning_plan", "propose_groups",
                               {"kind": "mixed", "size": 2}).body)["proposal"]
    call("staff_1", "personalized_learning_plan", "save_groups", {
        "kind": proposal["kind"], "skills": proposal["skills"], "groups": proposal["groups"], "revision": 0})
    with CaptureQueriesContext(connection) as queries:
        page = WorkbenchRuntime("staff_1").get_block(PLAN).student_view({}).content
    assert not every_learners_state_read(queries)
    assert "Show the saved grouping (2 groups)" in page and "4 shown of 4" in page
    with CaptureQueriesContext(connection) as queries:
        editor = json.loads(call("staff_1", "personalized_learning_plan", "saved_groups", {}).body)["html"]
    assert every_learners_state_read(queries) and "Saved groups" in editor
