"""The learning plan in the workbench's demo unit: the workbench's user-state client over its SQL store."""
import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from workbench.runtime_util import reset_global_state

from personalized_path.workbench.user_states import WorkbenchUserStateClient
from tests.builders import DEMO_CHECK, DEMO_GATE, DEMO_PLAN, DEMO_SELF_ASSESSMENT

pytestmark = pytest.mark.django_db

SCENARIO = "/scenario/personalized_self_assessment.0/"
WRONG = {"half": ["b"], "sum": ["a"], "same": ["y"]}


@pytest.fixture
def client():
    reset_global_state()
    return Client(enforce_csrf_checks=True)


def post(client, student, usage, name, body):
    client.get(SCENARIO + f"?student={student}")
    return client.post(f"/handler/{usage}/{name}/?student={student}", data=json.dumps(body),
                       content_type="application/json", HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value)


def test_demo_unit_ends_with_a_learning_plan_and_staff_see_the_class(client):
    for number in range(6):
        student = f"http_{number}"
        ratings = {"compare-fractions": 4, "add-fractions": 4, "explain-equivalence": 4}
        assert post(client, student, DEMO_SELF_ASSESSMENT, "submit", {"ratings": ratings}).status_code == 200
        assert post(client, student, DEMO_CHECK, "submit", {"answers": WRONG}).status_code == 200
        client.get(SCENARIO + f"?student={student}")  # the gate records that the learner reached it
    page = client.get(SCENARIO + "?student=http_0").content.decode()
    assert "Your learning plan for fractions" in page and "You rate yourself higher than your results so far." in page
    with CaptureQueriesContext(connection) as queries:
        response = post(client, "staff_1", DEMO_PLAN, "class_grid", {"filter": "stuck", "stuck_days": 0})
    assert response.status_code == 200, response.content
    assert "6 shown of 6" in response.json()["html"]
    reads = [query["sql"] for query in queries.captured_queries if "xblockstate" in query["sql"].lower()
             and "http_" not in query["sql"]]
    assert reads, "the grid reads the workbench store"
    response = post(client, "http_1", DEMO_PLAN, "class_grid", {})
    assert response.status_code == 403
    exception = {"learner": "http_3", "gate": DEMO_GATE, "action": "unlock", "reason": "Was ill"}
    response = post(client, "staff_1", DEMO_PLAN, "apply_exception", exception)
    assert response.status_code == 200, response.content
    page = client.get(SCENARIO + "?student=http_3").content.decode()
    assert "Opened by your instructor on" in page and "Practice: find a common denominator" in page


def test_workbench_client_reads_all_learners_of_a_block_in_one_query(client):
    for number in range(12):
        assert post(client, f"q_{number}", DEMO_CHECK, "submit", {"answers": WRONG}).status_code == 200
    states = WorkbenchUserStateClient()
    with CaptureQueriesContext(connection) as queries:
        found = list(states.iter_all_for_block(DEMO_CHECK))
    assert len(queries.captured_queries) == 1
    assert sorted(item.username for item in found) == sorted(f"q_{number}" for number in range(12))
    assert all(item.state["learner_state"]["used"] == 1 for item in found)
    states.set("q_0", DEMO_GATE, {"instructor_exception": {"version": 1, "current": None, "history": []}})
    stored = states.get("q_0", DEMO_GATE).state
    assert stored["instructor_exception"] == {"version": 1, "current": None, "history": []}
    assert stored["learner_state"]["reached_at"]  # set_many overlays: the learner's own fields stay
    found = states.get_many("q_1", [DEMO_CHECK, DEMO_GATE, DEMO_PLAN])
    assert sorted(item.block_key for item in found) == [DEMO_GATE, DEMO_CHECK]
