"""The self-assessment through the workbench's real Django stack, with CSRF enforced."""
import json

import pytest
from django.test import Client
from workbench.runtime_util import reset_global_state

from tests.builders import DEMO_SELF_ASSESSMENT

pytestmark = pytest.mark.django_db

SCENARIO = "/scenario/personalized_self_assessment.0/"


def handler_url(name, student):
    return f"/handler/{DEMO_SELF_ASSESSMENT}/{name}/?student={student}"


@pytest.fixture
def client():
    # Scenarios live in the database, which pytest-django rolls back after each test.
    reset_global_state()
    browser = Client(enforce_csrf_checks=True)
    response = browser.get(SCENARIO + "?student=http_1")
    assert response.status_code == 200
    return browser


def post(client, name, body, student="http_1", csrf=True):
    headers = {"HTTP_X_CSRFTOKEN": client.cookies["csrftoken"].value} if csrf else {}
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return client.post(handler_url(name, student), data=data, content_type="application/json", **headers)


RATINGS = {"compare-fractions": 2, "add-fractions": 1, "explain-equivalence": 0}


def test_scenario_page_renders_the_block_with_its_resources(client):
    html = client.get(SCENARIO + "?student=http_1").content.decode()
    assert "Where are you with fractions?" in html
    assert "/resource/personalized_self_assessment/static/js/personalized.js" in html
    resource = client.get("/resource/personalized_self_assessment/static/js/self_assessment.js")
    assert resource.status_code == 200 and b"PersonalizedSelfAssessment" in resource.content


def test_post_without_csrf_token_is_forbidden(client):
    assert post(client, "submit", {"ratings": RATINGS}, csrf=False).status_code == 403


def test_submit_then_reload_shows_the_profile(client):
    response = post(client, "submit", {"ratings": RATINGS, "evidence": {"add-fractions": "<b>tried</b>"}})
    assert response.status_code == 200, response.content
    page = client.get(SCENARIO + "?student=http_1").content.decode()
    assert "Your profile" in page and "&lt;b&gt;tried&lt;/b&gt;" in page and "<b>tried</b>" not in page
    other = client.get(SCENARIO + "?student=http_2").content.decode()
    assert "Your profile" not in other


@pytest.mark.parametrize("body", [b"", b"{", b"[1]", b'{"ratings": NaN}', json.dumps({"ratings": {"x": 1}})])
def test_bad_bodies_are_400_with_a_json_error(client, body):
    response = post(client, "submit", body)
    # Django's test client sends no Content-Type with an empty body: nothing says it is JSON.
    assert response.status_code == (400 if body else 415)
    assert response.json()["error"]


def test_get_on_a_state_changing_handler_is_405(client):
    response = client.get(handler_url("submit", "http_1"))
    assert response.status_code == 405


def test_mobile_user_state_handler(client):
    post(client, "submit", {"ratings": RATINGS})
    response = client.get(handler_url("student_view_user_state", "http_1"))
    assert response.status_code == 200
    assert response.json()["learner_state"]["history"][0]["ratings"] == RATINGS


def test_studio_view_page_carries_the_runtime_patch(client):
    page = client.get(SCENARIO + "studio_view/?student=staff_1").content.decode()
    assert "RuntimeProvider.versions[1].notify" in page and "X-CSRFToken" in page


def test_language_can_be_chosen_with_the_lang_parameter(client):
    page = client.get(SCENARIO + "?student=http_3&lang=es").content.decode()
    assert "Enviar valoraciones" in page
    assert client.cookies["django_language"].value == "es"


def test_the_demo_home_links_the_staff_view_each_editor_and_the_language_and_time_zone(client):
    home = client.get("/").content.decode()
    assert 'href="/scenario/personalized_self_assessment.0/?student=staff_1"' in home
    for kind in ("self_assessment", "skill_check", "mastery_gate", "choice_board", "goal_reflection",
                 "learning_plan"):
        assert f'href="/scenario/personalized_{kind}.0/studio_view/?student=staff_1"' in home
    assert 'href="?lang=ar"' in home and '<select id="pp-home-tz" name="tz">' in home
    assert home.count("/studio_view/?student=staff_1") >= 18  # every scenario's editors too


def test_the_demo_user_picks_a_time_zone_as_the_platform_keeps_it(client):
    assert post(client, "submit", {"ratings": RATINGS}, student="tz_1").status_code == 200
    assert "<strong>Pacific/Auckland</strong>" in client.get("/?tz=Pacific/Auckland").content.decode()
    assert client.cookies["pp_time_zone"].value == "Pacific/Auckland"  # remembered, like a preference
    lookup = post(client, "learner_answers", {"username": "tz_1"}, student="staff_tz").json()["html"]
    assert "(Pacific/Auckland)" in lookup
    client.get("/?tz=Not/AZone")  # an unknown zone changes nothing
    assert client.cookies["pp_time_zone"].value == "Pacific/Auckland"
    client.get("/?tz=UTC")
    assert "(UTC)" in post(client, "learner_answers", {"username": "tz_1"}, student="staff_tz").json()["html"]
