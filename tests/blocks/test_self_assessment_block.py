"""Self-assessment block on the XBlock TestRuntime: views, handlers, bad input, reports, OLX."""
import json
from collections import namedtuple

import pytest
from django.utils import translation

from personalized_path.self_assessment import SelfAssessmentBlock
from tests.harness import BlockEnv, call, field_snapshot, html_of, olx_round_trip

OLX = """
<personalized_self_assessment display_name="Fractions &lt;check&gt;"
  instructions="Rate &lt;b&gt;honestly&lt;/b&gt;"
  statements='[{"id": "compare", "text": "I can compare &lt;i&gt;fractions&lt;/i&gt;", "skill": "fractions"},
               {"id": "add", "text": "I can add fractions", "skill": "fractions"},
               {"id": "explain", "text": "I can explain equivalence", "skill": "reasoning"}]'
  scale='[{"label": "Not yet", "descriptor": "Need help"}, {"label": "With help", "descriptor": ""},
          {"label": "On my own", "descriptor": ""}, {"label": "Could teach", "descriptor": ""}]'
  show_class_comparison="true" {extra}/>
"""
GOOD = {"ratings": {"compare": 1, "add": 2, "explain": 0}, "evidence": {"compare": "<script>alert(1)</script> p.4"}}


def load(env, extra=""):
    return env.load(OLX.replace("{extra}", extra))


def test_first_view_is_a_form_with_one_radio_group_per_statement(env):
    usage = load(env)
    html = html_of(env.block(usage))
    assert html.count('<fieldset class="pp-statement"') == 3
    assert html.count('type="radio"') == 3 * 5  # four levels and "not sure yet"
    assert "Your profile" not in html


def test_submit_records_ratings_completes_and_publishes_an_event(env):
    usage = load(env)
    status, data = call(env.block(usage), "submit", GOOD)
    assert status == 200
    # The answer carries what changed: the new profile, and the form's heading and button.
    assert sorted(data["parts"]) == ["form-actions", "form-intro", "profile"] and "html" not in data
    assert "Your profile" in data["parts"]["profile"] and "Your growth" in data["parts"]["profile"]
    assert 'data-part="profile"' in data["parts"]["profile"]
    assert "Save new ratings" in data["parts"]["form-actions"]
    assert "Rate yourself again" in data["parts"]["form-intro"]
    block = env.block(usage)
    assert block.learner_state["history"][0]["ratings"] == GOOD["ratings"]
    assert block.learner_state["version"] == 1
    assert [event["data"]["completion"] for event in env.events_named("completion")] == [1.0]
    submitted = env.events_named("self_assessment.submitted")
    assert submitted[0]["data"]["ratings"] == GOOD["ratings"]
    assert not env.events_named("grade")  # not graded unless weighted


def test_rerating_keeps_history_and_shows_growth(env):
    usage = load(env)
    call(env.block(usage), "submit", GOOD)
    status, data = call(env.block(usage), "submit", {"ratings": {"compare": 3, "add": 2, "explain": 1}})
    assert status == 200
    assert list(data["parts"]) == ["profile"]  # re-rating changes only the profile
    assert "Up 2 levels" in data["parts"]["profile"] and "No change yet" in data["parts"]["profile"]
    state = env.block(usage).learner_state
    assert len(state["history"]) == 2 and state["first"]["compare"]["level"] == 1
    assert len(env.events_named("completion")) == 1  # completion only on the first submit


def test_rerating_refused_when_the_author_forbids_it(env):
    usage = load(env, 'allow_rerating="false"')
    status, data = call(env.block(usage), "submit", GOOD)
    # The form goes away, so the answer is the whole block, which has no form left.
    assert status == 200 and "parts" not in data and "Your profile" in data["html"]
    assert "pp-form" not in data["html"]
    before = field_snapshot(env, usage)
    status, data = call(env.block(usage), "submit", GOOD)
    assert status == 400 and "re-rating is not allowed" in data["error"]
    assert field_snapshot(env, usage) == before
    assert 'class="pp-section pp-form"' not in html_of(env.block(usage))


def test_weighted_block_publishes_full_credit_once(env):
    usage = load(env, 'weight="3"')
    block = env.block(usage)
    assert block.has_score and block.get_score().raw_earned == 0
    call(block, "submit", GOOD)
    call(env.block(usage), "submit", GOOD)
    grades = env.events_named("grade")
    assert [(grade["data"]["value"], grade["data"]["max_value"]) for grade in grades] == [(1.0, 1.0)]
    assert env.block(usage).get_score().raw_earned == 1.0
    assert not env.block(load(env)).has_score


BAD_BODIES = [
    b"", b"not json", b"[]", b'"x"', b"3", b"null", b'{"ratings": NaN}', b'{"ratings": Infinity}',
    b'{"ratings": ' + b"[" * 5000 + b"]" * 5000 + b"}",
]
BAD_PAYLOADS = [
    ({"ratings": {"compare": 1, "add": 2}}, "ratings.explain"),
    ({"ratings": {"compare": 1, "add": 2, "explain": 9}}, "ratings.explain"),
    ({"ratings": {"compare": 1, "add": 2, "explain": -1}}, "ratings.explain"),
    ({"ratings": {"compare": True, "add": 2, "explain": 1}}, "ratings.compare"),
    ({"ratings": {"compare": 1.5, "add": 2, "explain": 1}}, "ratings.compare"),
    ({"ratings": {"compare": "1", "add": 2, "explain": 1}}, "ratings.compare"),
    ({"ratings": {"compare": 1, "add": 2, "explain": 1, "nope": 1}}, "ratings.nope"),
    ({"ratings": [1, 2, 3]}, "ratings"),
    ({"ratings": None}, "ratings"),
    ({}, "ratings"),
    ({"ratings": {"compare": 1, "add": 2, "explain": 1}, "evidence": {"compare": "x" * 1001}}, "evidence.compare"),
    ({"ratings": {"compare": 1, "add": 2, "explain": 1}, "evidence": {"compare": "€" * 1001}}, "evidence.compare"),
    ({"ratings": {"compare": 1, "add": 2, "explain": 1}, "evidence": {"compare": "a\x00b"}}, "evidence.compare"),
    ({"ratings": {"compare": 1, "add": 2, "explain": 1}, "evidence": {"compare": 5}}, "evidence.compare"),
    ({"ratings": {"compare": 1, "add": 2, "explain": 1}, "evidence": ["x"]}, "evidence"),
    ({"ratings": {"compare": 1, "add": 2, "explain": 1}, "evidence": {"ghost": "x"}}, "evidence.ghost"),
    ({"ratings": {"compare": 1, "add": 2, "explain": 1}, "admin": True}, "admin"),
]


@pytest.mark.parametrize("body", BAD_BODIES)
def test_malformed_bodies_get_400_and_change_nothing(env, body):
    usage = load(env)
    call(env.block(usage), "submit", GOOD)
    before = field_snapshot(env, usage)
    status, data = call(env.block(usage), "submit", body=body)
    assert status == 400 and data["error"]
    assert field_snapshot(env, usage) == before


@pytest.mark.parametrize("payload, field", BAD_PAYLOADS)
def test_invalid_values_get_400_naming_the_field_and_change_nothing(env, payload, field):
    usage = load(env)
    call(env.block(usage), "submit", GOOD)
    before = field_snapshot(env, usage)
    status, data = call(env.block(usage), "submit", payload)
    assert status == 400
    assert data["field"] == field and field + ":" not in data["error"]
    assert field_snapshot(env, usage) == before


def test_evidence_limit_counts_bytes_not_only_characters(env):
    usage = load(env)
    # 1000 characters is within the character cap, but 4 bytes each is over the byte cap.
    status, data = call(env.block(usage), "submit", dict(GOOD, evidence={"compare": "😀" * 1000}))
    assert status == 400 and "bytes" in data["error"]


def test_get_is_refused_with_405(env):
    usage = load(env)
    status, _data = call(env.block(usage), "submit", method="GET")
    assert status == 405


def test_author_and_learner_markup_is_shown_literally(env):
    usage = load(env)
    call(env.block(usage), "submit", GOOD)
    html = html_of(env.block(usage))
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<i>fractions</i>" not in html and "&lt;i&gt;fractions&lt;/i&gt;" in html
    assert "<b>honestly</b>" not in html and "&lt;b&gt;honestly&lt;/b&gt;" in html
    studio = env.block(usage, staff=True).render("studio_view", {}).body_html()
    assert "<i>fractions</i>" not in studio


def test_student_view_data_is_configuration_only_and_the_same_for_everyone(env):
    usage = load(env)
    call(env.block(usage, "ana"), "submit", GOOD)
    first = env.block(usage, "ana").student_view_data()
    second = env.block(usage, "ben").student_view_data()
    assert first == second
    assert "p.4" not in json.dumps(first)
    assert [statement["id"] for statement in first["statements"]] == ["compare", "add", "explain"]


def test_student_view_user_state_returns_only_this_learners_state(env):
    usage = load(env)
    call(env.block(usage, "ana"), "submit", GOOD)
    status, data = call(env.block(usage, "ana"), "student_view_user_state", method="GET")
    assert status == 200 and data["learner_state"]["history"][0]["ratings"] == GOOD["ratings"]
    _status, other = call(env.block(usage, "ben"), "student_view_user_state", method="GET")
    assert other == {"learner_state": {}}


def test_class_comparison_appears_after_five_learners_have_submitted(env):
    usage = load(env)
    for learner in ("l1", "l2", "l3", "l4"):
        call(env.block(usage, learner), "submit", GOOD)
    html = html_of(env.block(usage, "l1"))
    assert "How the class rated" not in html and "at least 5 learners" in html
    call(env.block(usage, "l5"), "submit", {"ratings": {"compare": 4, "add": 2, "explain": 0}})
    assert "How the class rated" in html_of(env.block(usage, "l1"))
    assert "How the class rated" not in html_of(env.block(usage, "l6"))  # not before submitting
    summary = env.block(usage, "l1").class_distribution
    assert summary["learners"] == 5 and summary["counts"]["compare"]["1"] == 4
    assert "p.4" not in json.dumps(summary)


def test_garbled_stored_state_renders_defaults(env, caplog):
    usage = load(env)
    block = env.block(usage)
    block.learner_state = {"version": 1, "first": "oops", "history": 7}
    block.save()
    html = html_of(env.block(usage))
    assert 'class="pp-section pp-form"' in html
    assert "unreadable learner state" in caplog.text


UserState = namedtuple("UserState", "username state")


def test_report_rows_have_username_ratings_evidence_and_dates(env):
    usage = load(env)
    call(env.block(usage, "ana"), "submit", GOOD)
    call(env.block(usage, "ana"), "submit", {"ratings": {"compare": 3, "add": 2, "explain": 1}})
    block = env.block(usage, "staff", staff=True)
    states = [UserState("ana", {"learner_state": env.block(usage, "ana").learner_state}),
              UserState("ben", {"learner_state": {"garbled": True}})]
    rows = list(block.generate_report_data(iter(states)))
    assert [row[0] for row in rows] == ["ana", "ana"]
    assert rows[0][1]["ratings"] == "compare=Not yet; add=With help; explain=Not sure yet"
    assert "p.4" in rows[0][1]["evidence"] and rows[1][1]["submission"] == 2
    assert rows[0][1]["submitted_at"].startswith("20")
    assert len(list(block.generate_report_data(iter(states), limit_responses=1))) == 1
    with translation.override("es"):  # the report in its reader's language, as the learners' page
        rows = list(env.block(usage, "staff", staff=True).generate_report_data(iter(states)))
    assert rows[0][1]["ratings"].endswith("explain=Aún no estoy seguro")


def test_olx_export_and_import_round_trip_every_authored_field():
    env = BlockEnv()
    usage = env.load(OLX.replace("{extra}", 'allow_unsure="false" evidence_enabled="false" allow_rerating="false" '
                                            'weight="2.5" evidence_prompt="Why?"'))
    block, copy = olx_round_trip(env, usage)
    for name in SelfAssessmentBlock.editable_fields:
        assert getattr(copy, name) == getattr(block, name), name
    assert copy.weight == 2.5 and copy.allow_rerating is False and copy.statements[0]["text"].endswith("</i>")


def test_studio_save_validates_before_writing(env):
    usage = load(env)
    block = env.block(usage, "staff", staff=True)
    good_statements = block.statements
    status, data = call(block, "submit_studio_edits", {
        "values": {"scale": [{"label": "Only"}, {"label": "Two"}], "display_name": "Changed"}, "defaults": []})
    assert status == 400 and "3 to 5 levels" in json.dumps(data)
    fresh = env.block(usage, "staff", staff=True)
    assert fresh.display_name == "Fractions <check>" and fresh.statements == good_statements
    status, _data = call(fresh, "submit_studio_edits", {"values": {"display_name": "Renamed"}, "defaults": []})
    assert status == 200 and env.block(usage).display_name == "Renamed"


def test_studio_validation_names_duplicate_ids():
    env = BlockEnv()
    usage = env.load(OLX.replace("{extra}", "").replace('"id": "add"', '"id": "compare"'))
    messages = [message.text for message in env.block(usage).validate().messages]
    assert any("used twice" in message for message in messages)


def test_spanish_learners_see_the_spanish_catalog(env):
    usage = load(env)
    with translation.override("es"):
        html = html_of(env.block(usage))
    assert "Enviar valoraciones" in html
    assert "Enviar valoraciones" not in html_of(env.block(usage))


@pytest.mark.parametrize("body, field", [
    ({"defaults": []}, "values"),
    ({"values": [], "defaults": []}, "values"),
    ({"values": {"weight": "heavy"}, "defaults": []}, "weight"),
    ({"values": {"display_name": "x"}, "defaults": "all"}, "defaults"),
])
def test_malformed_studio_saves_get_400_and_change_nothing(env, body, field):
    usage = load(env)
    before = field_snapshot(env, usage, "staff")
    status, data = call(env.block(usage, "staff", staff=True), "submit_studio_edits", body)
    assert status == 400 and data["field"] == field
    assert field_snapshot(env, usage, "staff") == before
