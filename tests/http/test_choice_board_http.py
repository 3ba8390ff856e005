"""The choice board in the workbench's demo unit through the real Django stack (CSRF enforced)."""
import json

import pytest
from django.test import Client
from workbench.runtime_util import reset_global_state

from tests.builders import DEMO_BOARD, DEMO_SELF_ASSESSMENT

pytestmark = pytest.mark.django_db

SCENARIO = "/scenario/personalized_self_assessment.0/"


@pytest.fixture
def client():
    reset_global_state()
    browser = Client(enforce_csrf_checks=True)
    assert browser.get(SCENARIO + "?student=cb_http").status_code == 200
    return browser


def post(client, usage, name, body, csrf=True):
    headers = {"HTTP_X_CSRFTOKEN": client.cookies["csrftoken"].value} if csrf else {}
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return client.post(f"/handler/{usage}/{name}/?student=cb_http", data=data, content_type="application/json",
                       **headers)


def test_demo_unit_has_a_board_whose_suggestions_follow_the_linked_self_assessment(client):
    page = client.get(SCENARIO + "?student=cb_http").content.decode()
    assert "Choose how you practise" in page and "Suggested for you" not in page
    assert "/resource/personalized_choice_board/static/js/choice_board.js" in page
    ratings = {"compare-fractions": 3, "add-fractions": 3, "explain-equivalence": 1}
    assert post(client, DEMO_SELF_ASSESSMENT, "submit", {"ratings": ratings}).status_code == 200
    page = client.get(SCENARIO + "?student=cb_http").content.decode()
    # The three tiles tagged "reasoning" are marked, and the reason they share is said once.
    assert page.count(' pp-suggested"') == 3
    assert "Suggested for you (3 activities, marked below):" in page
    assert page.count("You rated &quot;I can explain why 2/4 and 1/2 are the same amount.&quot; as "
                      "&quot;Not yet&quot;.") == 1


def test_choose_through_the_workbench_needs_csrf_and_answers_with_what_changed(client):
    assert post(client, DEMO_BOARD, "choose", {"tiles": ["explain-to-peer"]}, csrf=False).status_code == 403
    response = post(client, DEMO_BOARD, "choose", {"tiles": ["explain-to-peer", "recipe-project"]})
    assert response.status_code == 200, response.content
    assert "This line still needs" not in response.json()["parts"]["progress"]
    assert "Your closest line still needs 1 more tile: Fraction game." in response.json()["parts"]["progress"]
    response = post(client, DEMO_BOARD, "choose", b'{"tiles": [NaN]}')
    assert response.status_code == 400 and response.json()["error"]
    state = client.get(f"/handler/{DEMO_BOARD}/student_view_user_state/?student=cb_http").json()
    assert [entry["id"] for entry in state["learner_state"]["chosen"]] == ["explain-to-peer", "recipe-project"]
