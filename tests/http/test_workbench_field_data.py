"""The workbench's field storage reads each state row once per request and writes it once, as the LMS does."""
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from webob import Request
from workbench.models import XBlockState
from workbench.runtime import ID_MANAGER, WorkbenchRuntime
from xblock.fields import Scope
from xblock.runtime import KeyValueStore

from personalized_path.workbench.field_data import RequestFieldData, RequestKeyValueStore

pytestmark = pytest.mark.django_db

STATEMENTS = json.dumps([{"id": "s1", "text": "I can add fractions", "skill": "fractions"},
                         {"id": "s2", "text": "I can compare fractions", "skill": "fractions"}])


def load(xml, scenario):
    ID_MANAGER.set_scenario(scenario)
    return WorkbenchRuntime("author").parse_xml_string(xml)


def submit(usage, learner, ratings):
    runtime = WorkbenchRuntime(learner)
    block = runtime.get_block(usage)
    request = Request.blank("/", method="POST", body=json.dumps({"ratings": ratings}).encode("utf-8"),
                            headers={"Content-Type": "application/json"})
    return runtime.handle(block, "submit", request)


def learner_queries(captured, learner):
    """The queries on ``learner``'s rows: by their user id, or (updates) by the row's primary key."""
    rows = {f'"id" = {pk}' for pk in XBlockState.objects.filter(user_id=learner).values_list("pk", flat=True)}
    return [query["sql"] for query in captured.captured_queries
            if f"'{learner}'" in query["sql"] or any(query["sql"].endswith(row) for row in rows)]


def test_each_workbench_runtime_has_its_own_request_field_data():
    usage = load(f"<personalized_self_assessment statements='{STATEMENTS}'/>", "fd-service")
    first, second = WorkbenchRuntime("someone"), WorkbenchRuntime("someone")
    data = first.service(first.get_block(usage), "field-data")
    assert isinstance(data, RequestFieldData)
    assert data is not second.service(second.get_block(usage), "field-data")


def test_a_handler_reads_and_writes_the_learners_row_once():
    usage = load(f"<personalized_self_assessment statements='{STATEMENTS}'/>", "fd-once")
    with CaptureQueriesContext(connection) as captured:
        response = submit(usage, "fd-learner", {"s1": 2, "s2": 3})
    assert response.status_code == 200, response.body
    # The row read afresh once the learner's write lock is held (base.learner_lock, through the
    # user_state service, as in the LMS); fields absent from it are then looked up (has()) in one
    # read of the row; the save is a find-or-create and one insert or update, as the LMS's
    # user-state client writes StudentModule.
    mine = learner_queries(captured, "fd-learner")
    assert [sql.split()[0] for sql in mine] == ["SELECT", "SELECT", "SELECT", "INSERT"], mine
    with CaptureQueriesContext(connection) as captured:
        assert submit(usage, "fd-learner", {"s1": 3, "s2": 3}).status_code == 200
    mine = learner_queries(captured, "fd-learner")
    assert [sql.split()[0] for sql in mine] == ["SELECT", "SELECT", "UPDATE"], mine  # every field came fresh
    state = WorkbenchRuntime("fd-learner").get_block(usage).learner_state
    assert len(state["history"]) == 2 and state["history"][-1]["ratings"] == {"s1": 3, "s2": 3}


def test_saved_state_is_what_the_next_request_reads():
    usage = load(f"<personalized_self_assessment statements='{STATEMENTS}'/>", "fd-next")
    assert submit(usage, "fd-a", {"s1": 1, "s2": 1}).status_code == 200
    assert submit(usage, "fd-b", {"s1": 4, "s2": 4}).status_code == 200
    first = WorkbenchRuntime("fd-a").get_block(usage)
    assert first.learner_state["history"][0]["ratings"] == {"s1": 1, "s2": 1}
    assert WorkbenchRuntime("fd-nobody").get_block(usage).learner_state == {}
    record = XBlockState.objects.get(scope="usage", scope_id=str(usage), user_id="fd-b")
    assert json.loads(record.state)["learner_state"]["history"][0]["ratings"] == {"s1": 4, "s2": 4}


def key(scope, field, user=None, block="fd-rows.personalized_self_assessment.d0.u0"):
    return KeyValueStore.Key(scope=scope, user_id=user, block_scope_id=block, field_name=field)


def test_shared_rows_change_only_the_fields_a_request_saves():
    # Two requests hold the same class summary row; each saves a different field of it.
    first, second = RequestKeyValueStore(), RequestKeyValueStore()
    assert not first.has(key(Scope.user_state_summary, "a"))
    assert not second.has(key(Scope.user_state_summary, "b"))
    first.set(key(Scope.user_state_summary, "a"), {"count": 1})
    second.set(key(Scope.user_state_summary, "b"), {"count": 2})
    fresh = RequestKeyValueStore()
    assert fresh.get(key(Scope.user_state_summary, "a")) == {"count": 1}
    assert fresh.get(key(Scope.user_state_summary, "b")) == {"count": 2}


def test_a_learner_row_saves_many_fields_in_one_write_and_deletes_fields():
    store = RequestKeyValueStore()
    with CaptureQueriesContext(connection) as captured:
        store.set_many({key(Scope.user_state, "x", "fd-row"): 1, key(Scope.user_state, "y", "fd-row"): [2]})
    statements = [query["sql"].split()[0] for query in captured.captured_queries]
    assert [verb for verb in statements if verb in ("SELECT", "INSERT", "UPDATE")] == ["SELECT", "INSERT"]
    again = RequestKeyValueStore()
    assert again.get(key(Scope.user_state, "y", "fd-row")) == [2]
    again.delete(key(Scope.user_state, "x", "fd-row"))
    last = RequestKeyValueStore()
    assert not last.has(key(Scope.user_state, "x", "fd-row")) and last.has(key(Scope.user_state, "y", "fd-row"))
    with pytest.raises(KeyError):
        last.get(key(Scope.user_state, "x", "fd-row"))
