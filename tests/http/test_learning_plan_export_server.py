"""
The plugin's streaming class export on a real server (gunicorn, as in production): its answer goes
out in chunks with no length, where the plan's ``export_csv`` handler, passed through the workbench's
handler view, goes out as one body of known length; both carry the same CSV.
"""
from http.client import HTTPConnection

import pytest

from tests.builders import DEMO_CHECK, DEMO_PLAN
from tests.harness import GunicornWorkbench

WRONG = {"half": ["b"], "sum": ["a"], "same": ["y"]}


@pytest.fixture(scope="module", name="server")
def gunicorn_server():
    running = GunicornWorkbench()
    running.workers = 1
    running.start()
    yield running
    running.stop()


def get(server, path):
    """``(response, body)`` of one GET on its own connection, as a browser's download makes it."""
    connection = HTTPConnection("127.0.0.1", server.port, timeout=120)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response, response.read()
    finally:
        connection.close()


def test_the_view_streams_the_handlers_csv_in_chunks_to_staff_only(server):
    for number in range(5):
        assert server.post(DEMO_CHECK, "submit", f"export_{number}", {"answers": WRONG})[0] == 200
    view = f"/personalized_path/learning_plan/{DEMO_PLAN}/class.csv"
    response, streamed = get(server, f"{view}?student=staff_1&sort=learner&descending=true")
    assert response.status == 200 and response.getheader("Content-Length") is None
    assert response.getheader("Transfer-Encoding") == "chunked"  # sent piece by piece
    assert response.getheader("Content-Disposition") == 'attachment; filename="class-plan.csv"'
    handler, whole = get(server, f"/handler/{DEMO_PLAN}/export_csv/?student=staff_1&sort=learner&descending=true")
    assert handler.status == 200 and handler.getheader("Content-Length") == str(len(whole))  # one body
    assert streamed == whole and all(f"export_{number},".encode() in streamed for number in range(5))
    refused, body = get(server, f"{view}?student=export_0")
    assert refused.status == 403 and b"export_" not in body
    assert get(server, f"/personalized_path/learning_plan/{DEMO_CHECK}/class.csv?student=staff_1")[0].status == 404
