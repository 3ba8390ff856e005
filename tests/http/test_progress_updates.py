"""
Progress updates and nudges (issue 28) in the workbench's real database, sent by messaging.py through
edx-ace's Django email channel into Django's locmem email backend: the learning plan's handlers, the
signed confirm and stop links, and ``send_due`` as the scheduled task runs it, with the messages (subject,
text and HTML) read from the outbox.
"""
import io
import itertools
import json
import re
from datetime import datetime, timedelta, timezone

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils.html import escape
from webob import Request
from workbench.runtime import ID_MANAGER, WorkbenchRuntime

from personalized_path.openedx import updates
from personalized_path.openedx.models import LearnerNudges, PlanSummaryConfig, SentMessage, UpdateRecipient
from tests.harness import free_port

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("course")]

SCENARIOS = itertools.count()
SCENARIO = ""
QUESTIONS = [{"id": "half", "prompt": "1/2?", "kind": "single", "skill": "fractions",
              "choices": [{"id": "a", "text": "2/4"}, {"id": "b", "text": "1/3"}], "correct": ["a"]}]
GRANDMA = {"name": "Grandma", "email": "Jane@Example.org", "frequency": "weekly", "include_goals": True,
           "include_checkins": True}
DAY = timedelta(days=1)
SWITCHES = ("checkin_overdue", "stuck_at_gate", "review_due")
SITE = "http://testserver"
# The words before each link in a message's plain text (its HTML links the same address).
LINK_WORDS = {"confirm": "Confirm the updates", "stop": "Stop these updates"}
SUBJECTS = {"confirm_request": "would like to send you progress updates", "progress_digest": "Weekly progress of",
            "progress_change": "News of", "stuck_at_gate": "A way forward in your course",
            "review_due": "Time to review a skill", "checkin_overdue": "A check-in is waiting for you"}


def usage(tag):
    return f"{SCENARIO}.{tag}.d0.u0"


@pytest.fixture(autouse=True)
def locmem_email(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.LMS_ROOT_URL = SITE


def refusing_email(settings):
    """A real channel that refuses: SMTP to a port where no server listens (the connection is refused)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 5


@pytest.fixture
def course():
    global SCENARIO  # pylint: disable=global-statement
    SCENARIO = f"progress-updates-{next(SCENARIOS)}"
    ID_MANAGER.set_scenario(SCENARIO)
    check = usage("personalized_skill_check")
    xml = ("<vertical_demo>"
           f"<personalized_skill_check attempts_allowed='0' questions='{json.dumps(QUESTIONS)}'/>"
           f"<personalized_mastery_gate display_name='Lesson 2' sources='[\"{check}\"]' threshold='100' "
           f"skill_checks='[\"{check}\"]'><html_demo><p>open</p></html_demo></personalized_mastery_gate>"
           "<personalized_goal_reflection display_name='My goals'/>"
           "<personalized_learning_plan stuck_days='3'/></vertical_demo>")
    WorkbenchRuntime("author").parse_xml_string(xml)


def call(user, tag, handler, body=None, status=200):
    runtime = WorkbenchRuntime(user)
    block = runtime.get_block(usage(tag))
    request = Request.blank("/", method="POST" if body is not None else "GET",
                            body=json.dumps(body).encode() if body is not None else None,
                            headers={"Content-Type": "application/json"})
    response = runtime.handle(block, handler, request)
    assert response.status_code == status, response.body[:300]
    return json.loads(response.body) if body is not None else response


def plan_page(user):
    runtime = WorkbenchRuntime(user)
    return runtime.render(runtime.get_block(usage("personalized_learning_plan")), "student_view").content


def sharing(user):
    """The plan's Progress updates section as the learner opens it (the plan's view shows it closed)."""
    return call(user, "personalized_learning_plan", "sharing_section", {})["html"]


def add(user, status=200, **change):
    return call(user, "personalized_learning_plan", "add_update_recipient", dict(GRANDMA, **change), status)


def rebuild():
    call_command("rebuild_learning_plan_summaries", plan=[usage("personalized_learning_plan")], stdout=io.StringIO())


def html_of(message):
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return html


def link(message, action):
    """The path of a link the message's text names by its words, also linked in its HTML."""
    url = re.search(rf"^{LINK_WORDS[action]}: ({SITE}\S+)$", message.body, re.MULTILINE).group(1)
    assert f'href="{escape(url)}"' in html_of(message), f"{action} link not in the HTML"
    return url[len(SITE):]


def kind_of(message):
    [kind] = [kind for kind, words in SUBJECTS.items() if words in message.subject]
    return kind


def to(address):
    return [message for message in outbox() if message.to == [address]]


def outbox():
    """The locmem backend's sent messages (Django adds ``outbox`` to the module in tests)."""
    return mail.outbox  # pylint: disable=no-member


def later(days):
    return datetime.now(timezone.utc) + days * DAY


def test_adding_a_person_sends_only_the_confirmation_request_and_the_page_shows_them_masked():
    plan_page("ann")
    answer = add("ann")
    assert "confirmation request" in answer["said"]
    [request] = outbox()
    assert request.subject == "ann would like to send you progress updates" and request.to == ["jane@example.org"]
    assert "Hello Grandma," in request.body and "Hello Grandma," in html_of(request)
    assert "Nothing is sent until you confirm." in request.body
    assert "/personalized_path/progress-updates/confirm/" in link(request, "confirm")
    assert link(request, "stop")
    row = UpdateRecipient.objects.get()
    assert "jane" not in row.address_encrypted and updates.decrypt(row.address_encrypted) == "jane@example.org"
    assert row.address_hint == "j\u2022\u2022\u2022@example.org" and row.status == "pending"
    closed = plan_page("ann")
    assert "pp-plan-sharing-open" in closed and "example.org" not in closed, "the view reads none of it"
    page = sharing("ann")
    assert "j\u2022\u2022\u2022@example.org" in page and "jane@example.org" not in page
    assert "Waiting for confirmation" in page and "Request to confirm" in page
    assert "Grandma" not in sharing("bob")  # one learner's people are not another's


def test_a_weekly_digest_goes_after_confirmation_and_nothing_after_stop():
    plan_page("ann")
    add("ann")
    confirm = link(outbox()[0], "confirm")
    call("ann", "personalized_skill_check", "submit", {"answers": {"half": ["a"]}})
    rebuild()
    outbox().clear()
    assert "progress_digest" not in updates.send_due(later(8))
    assert not to("jane@example.org"), "nothing goes before the person confirms"
    client = Client()
    assert "Yes, send me these updates" in client.get(confirm).content.decode()
    assert UpdateRecipient.objects.get().status == "pending", "opening the link is not consent"
    assert "Thank you" in client.post(confirm).content.decode()
    assert updates.send_due(later(8))["progress_digest"] == 1
    [digest] = to("jane@example.org")
    assert kind_of(digest) == "progress_digest" and "ann" in digest.subject
    for shown in ("Skills\n- fractions: ", "- “Lesson 2” not reached yet.", "Goals\n- “My goals”"):
        assert shown in digest.body
    assert "<li>fractions: " in html_of(digest) and "&ldquo;" not in digest.body
    assert "“My goals”" in html_of(digest), "goals are ticked"
    assert updates.send_due(later(9)).get("progress_digest") is None, "one a week"
    page = sharing("ann")
    assert "Receiving updates" in page and "Weekly update" in page and "Lesson 2" in page
    stop = link(digest, "stop")
    assert "no more updates" in client.get(stop).content.decode()
    outbox().clear()
    updates.send_due(later(30))
    assert not to("jane@example.org")
    assert "Stopped" in sharing("ann")
    answer = add("ann", status=400)
    assert answer["field"] == "email" and "stopped your updates" in answer["error"]


def test_a_summary_out_of_date_is_rebuilt_at_the_run_s_asking_and_the_next_run_sends(
        django_capture_on_commit_callbacks):
    """An upgrade's new column (or an author's change) stops updates only until the run's asked rebuild."""
    plan_page("ann")
    add("ann")
    assert "Thank you" in Client().post(link(outbox()[0], "confirm")).content.decode()
    call("ann", "personalized_skill_check", "submit", {"answers": {"half": ["a"]}})
    rebuild()
    PlanSummaryConfig.objects.update(built_digest="built-before-an-upgrade")
    outbox().clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert "progress_digest" not in updates.send_due(later(8))  # out of date: nothing from it yet
    assert len(callbacks) == 1
    config = PlanSummaryConfig.objects.get()
    assert config.built_digest == config.digest
    assert updates.send_due(later(8))["progress_digest"] == 1 and to("jane@example.org")


def test_a_change_update_says_what_changed_and_nothing_when_nothing_did():
    plan_page("ann")
    add("ann", frequency="changes", include_goals=False)
    rebuild()
    Client().post(link(outbox()[0], "confirm"))
    outbox().clear()
    assert not updates.send_due(later(1)).get("progress_change")
    call("ann", "personalized_skill_check", "submit", {"answers": {"half": ["a"]}})
    assert call("ann", "personalized_mastery_gate", "check_again", {})["unlocked"]
    assert updates.send_due(later(1))["progress_change"] == 1
    [change] = to("jane@example.org")
    assert kind_of(change) == "progress_change"
    assert "- Opened “Lesson 2”." in change.body and "<li>Opened “Lesson 2”.</li>" in html_of(change)
    assert "My goals" not in change.body and "My goals" not in html_of(change)
    assert link(change, "stop")
    assert not updates.send_due(later(2)).get("progress_change")


def test_an_address_encrypted_under_another_secret_key_is_not_sent_and_the_run_goes_on(settings):
    plan_page("ann")
    add("ann")
    rebuild()
    Client().post(link(outbox()[0], "confirm"))
    outbox().clear()
    settings.SECRET_KEY = "rotated"
    assert not updates.send_due(later(8)) and not outbox()


def test_nothing_goes_when_the_course_team_turned_it_off():
    plan_page("ann")
    add("ann")
    rebuild()
    Client().post(link(outbox()[0], "confirm"))
    runtime = WorkbenchRuntime("author")
    plan = runtime.get_block(usage("personalized_learning_plan"))
    plan.progress_updates = False
    plan.save()
    outbox().clear()
    assert not updates.send_due(later(8))
    assert not outbox()
    assert "Progress updates" not in plan_page("ann")
    assert call("ann", "personalized_learning_plan", "sharing_section", {}, status=400)["error"] == \
        "Progress updates are not available in this course."
    answer = add("ann", email="tutor@example.org", status=400)
    assert answer["error"] == "Progress updates are not available in this course."


def test_each_nudge_goes_once_and_a_switched_off_one_never():
    for learner in ("ann", "bob"):
        plan_page(learner)
        call(learner, "personalized_skill_check", "submit", {"answers": {"half": ["b"]}})
        call(learner, "personalized_mastery_gate", "check_again", {})
    call("bob", "personalized_learning_plan", "set_nudges", {"stuck_at_gate": False})
    rebuild()
    outbox().clear()
    first = updates.send_due(later(1))
    assert not first.get("stuck_at_gate"), "stuck for 3 days or more"
    assert first["review_due"] == 2, "a skill missed is due for review at once"
    sent = updates.send_due(later(4))
    assert sent == {"stuck_at_gate": 1}, "the review nudges went once"
    [nudge] = [message for message in to("ann@example.com") if kind_of(message) == "stuck_at_gate"]
    assert "“Lesson 2” has been locked for you for 4 days" in nudge.body and "Hello ann," in nudge.body
    assert "“Lesson 2” has been locked for you for 4 days" in html_of(nudge)
    assert 'href=""' not in html_of(nudge), "the workbench has no page of the plan to link: no empty link"
    assert not [message for message in to("bob@example.com") if kind_of(message) == "stuck_at_gate"]
    outbox().clear()
    assert not updates.send_due(later(5)).get("stuck_at_gate")
    assert SentMessage.objects.filter(user_id="ann", kind="stuck_at_gate").count() == 1
    assert "Reminder: stuck at a locked part" in sharing("ann")
    call("ann", "personalized_goal_reflection", "save_goals", {"revision": 0, "goals": {
        slot: {"text": "Add any two fractions", "smart": [], "target_date": "2030-01-01"}
        for slot in ("long", "short-1")}})
    rebuild()
    assert updates.send_due(later(90)) == {"checkin_overdue": 1}
    assert not updates.send_due(later(91))


def test_every_learner_in_the_class_summary_is_nudged_without_opening_the_plan_once_per_event():
    for learner in ("cal", "eve"):
        call(learner, "personalized_skill_check", "submit", {"answers": {"half": ["b"]}})
        call(learner, "personalized_mastery_gate", "check_again", {})
    call("eve", "personalized_learning_plan", "set_nudges", {kind: False for kind in SWITCHES})
    call("fay", "personalized_skill_check", "submit", {"answers": {"half": ["a"]}})  # not due tomorrow
    plan_page("gus")
    rebuild()
    assert list(LearnerNudges.objects.values_list("user_id", flat=True)) == ["eve"], "a row only records switches"
    outbox().clear()
    assert updates.send_due(later(1)) == {"review_due": 1}
    [review] = outbox()
    assert review.to == ["cal@example.com"] and kind_of(review) == "review_due"
    assert "The skill fractions is due for review" in review.body and "Hello cal," in html_of(review)
    outbox().clear()
    assert updates.send_due(later(4)) == {"stuck_at_gate": 1, "review_due": 1}
    assert sorted((message.to[0], kind_of(message)) for message in outbox()) == [
        ("cal@example.com", "stuck_at_gate"), ("fay@example.com", "review_due")], "fay's right answer fades too"
    assert not updates.send_due(later(5)), "each event once"
    assert "Reminder: stuck at a locked part" in sharing("cal"), "the learner sees what was sent"


def test_bad_input_gets_a_sentence_and_changes_nothing(settings):
    plan_page("ann")
    for body, field, words in (({"email": "jane"}, "email", "name@example.org"),
                               ({"name": ""}, "name", "at least 1 character"),
                               ({"frequency": "hourly"}, "frequency", "every week")):
        answer = add("ann", status=400, **body)
        assert answer["field"] == field and words in answer["error"]
    for number in range(3):
        add("ann", email=f"person{number}@example.org")
    answer = add("ann", email="fourth@example.org", status=400)
    assert "at most 3 people" in answer["error"]
    answer = call("ann", "personalized_learning_plan", "remove_update_recipient", {"recipient": "x"}, status=400)
    assert answer["field"] == "recipient"
    other = UpdateRecipient.objects.first().pk
    answer = call("bob", "personalized_learning_plan", "remove_update_recipient", {"recipient": other}, status=400)
    assert "not on your list" in answer["error"]
    answer = call("ann", "personalized_learning_plan", "set_nudges", {"review_due": "no"}, status=400)
    assert answer["field"] == "review_due"
    assert UpdateRecipient.objects.count() == 3 and len(outbox()) == 3
    call("ann", "personalized_learning_plan", "remove_update_recipient", {"recipient": other})
    refusing_email(settings)
    answer = add("ann", email="refused@example.org", status=400)
    assert "could not be sent" in answer["error"] and UpdateRecipient.objects.count() == 2


def test_a_forged_link_changes_nothing_and_retirement_erases_addresses():
    plan_page("ann")
    add("ann")
    response = Client().get("/personalized_path/progress-updates/stop/forged/")
    assert response.status_code == 404 and UpdateRecipient.objects.get().status == "pending"
    confirm = link(outbox()[0], "confirm")
    assert Client().get(confirm.replace("/confirm/", "/stop/")).status_code == 404, "a confirm token stops nothing"
    updates.forget_learner("ann")
    assert not UpdateRecipient.objects.exists() and not LearnerNudges.objects.filter(user_id="ann").exists()
    assert list(SentMessage.objects.values_list("recipient_hash", "recipient_hint", "recipient_name")) == [("", "", "")]
