"""Progress updates' pure rules (issue 28): recipients, masking, facts, changes and nudges."""
from datetime import date, datetime, timedelta, timezone

import pytest

from personalized_path.core import updates
from personalized_path.core.payload import PayloadError
from personalized_path.core.plan import GOAL_REFLECTION, MASTERY_GATE, SKILL_CHECK, Source, SkillRule

GOOD = {"name": "Grandma", "email": " Jane@Example.org ", "frequency": "weekly", "include_goals": True,
        "include_checkins": False}
NOW = datetime(2026, 3, 10, 12, tzinfo=timezone.utc)
SOURCES = [Source("check", SKILL_CHECK, "Check", skills=("fractions",)),
           Source("gate", MASTERY_GATE, "Lesson 2"), Source("goals", GOAL_REFLECTION, "My goals")]


def test_a_good_recipient_is_read_with_its_address_normalized():
    assert updates.parse_recipient(GOOD) == dict(GOOD, email="jane@example.org", name="Grandma")


@pytest.mark.parametrize("change, field, words", [
    ({"name": ""}, "name", "at least 1 character"),
    ({"name": "x" * 101}, "name", "at most 100"),
    ({"email": "jane.example.org"}, "email", "name@example.org"),
    ({"email": "jane@example"}, "email", "name@example.org"),
    ({"email": "a b@example.org"}, "email", "name@example.org"),
    ({"email": "jane@exa..org"}, "email", "name@example.org"),
    ({"email": 7}, "email", "Expected text"),
    ({"frequency": "daily"}, "frequency", "every week"),
    ({"include_goals": "yes"}, "include_goals", "true or false"),
    ({"extra": 1}, "extra", ""),
])
def test_bad_recipients_get_a_sentence_about_their_field(change, field, words):
    with pytest.raises(PayloadError) as caught:
        updates.parse_recipient(dict(GOOD, **change))
    assert caught.value.field == field
    assert words in caught.value.sentence()


def test_a_fourth_a_repeated_and_a_stopped_address_are_refused():
    updates.admit_recipient(["a", "b"], "c", stopped=False)
    for active, stopped, words in ((["a", "b", "d"], False, "at most 3 people"), (["c"], False, "already"),
                                   ([], True, "stopped your updates")):
        with pytest.raises(PayloadError) as caught:
            updates.admit_recipient(active, "c", stopped)
        assert words in caught.value.sentence()


def test_an_address_is_shown_masked():
    assert updates.mask_address("jane@example.org") == "j\u2022\u2022\u2022@example.org"
    assert "jane" not in updates.mask_address("jane@example.org")
    assert updates.mask_address("broken") == updates.MASK


def test_nudge_switches_are_booleans_of_known_kinds():
    assert updates.parse_nudges({"review_due": False}) == {"review_due": False}
    for bad in ({}, {"review_due": 1}, {"other": True}):
        with pytest.raises(PayloadError):
            updates.parse_nudges(bad)


def facts(evidence=(), unlocked=False, reached="2026-03-01T09:00:00+00:00", checkins=0, due="2026-03-12"):
    summaries = {"check": {"evidence": {"fractions": list(evidence)}},
                 "gate": {"unlocked": unlocked, "reached_at": reached},
                 "goals": {"goals_set": True, "checkins": checkins, "next_checkin_due": due}}
    return updates.plan_facts(SOURCES, summaries, {"fractions": SkillRule()}, NOW.date(), NOW)


def test_facts_say_skills_gates_and_goals_in_plain_terms():
    told = facts()
    assert told["skills"] == {"fractions": "none"}
    assert told["gates"]["gate"] == {"title": "Lesson 2", "status": "locked", "reached": "2026-03-01"}
    assert told["goals"]["goals"] == {"title": "My goals", "goals_set": True, "due": "2026-03-12", "overdue": False,
                                      "checkins": 0}


def test_goals_and_checkins_are_told_only_when_ticked():
    told = facts()
    titles = [section["title"] for section in updates.message_sections(told, False, True)]
    assert titles == ["Skills", "Parts that open with progress"]
    goals = updates.message_sections(told, True, False)[-1]["lines"]
    assert [text for text, _params in goals] == ["“%(title)s”: goals set."]
    goals = updates.message_sections(told, True, True)[-1]["lines"]
    assert goals[1] == ("Next check-in due on %(date)s.", {"date": "2026-03-12"})


def test_changes_are_a_mastered_skill_an_opened_gate_a_checkin_and_an_overdue_one():
    before = facts()
    right = [(NOW - timedelta(hours=hour)).isoformat() for hour in range(6, 0, -1)]
    after = facts(evidence=[(when, 1) for when in right], unlocked=True, checkins=1, due="2026-03-01")
    found = [text for text, _params in updates.changes_since(before, after, include_goals=True)]
    assert found == ["Mastered the skill %(skill)s.", "Opened “%(title)s”.",
                     "Checked in on the goals in “%(title)s”.", "A check-in on the goals in “%(title)s” is overdue."]
    assert len(updates.changes_since(before, after, include_goals=False)) == 2
    assert not updates.changes_since(after, after, True) and not updates.changes_since(None, after, True)


def test_a_weekly_digest_is_due_seven_days_after_the_last():
    assert updates.digest_due("weekly", NOW - timedelta(days=7), NOW)
    assert not updates.digest_due("weekly", NOW - timedelta(days=6, hours=23), NOW)
    assert not updates.digest_due("changes", NOW - timedelta(days=30), NOW)
    assert not updates.digest_due("weekly", None, NOW)


def test_nudges_due_each_name_their_event_and_can_be_switched_off():
    told = facts(evidence=[("2026-01-01T00:00:00+00:00", 1)], due="2026-03-05")
    due = updates.due_nudges(told, 7, NOW.date(), NOW)
    assert [(kind, event) for kind, event, _text, _params in due] == [
        ("checkin_overdue", "checkin_overdue:goals:2026-03-05"), ("stuck_at_gate", "stuck_at_gate:gate:2026-03-01"),
        ("review_due", "review_due:fractions:" + told["reviews"]["fractions"])]
    assert due[1][3] == {"title": "Lesson 2", "days": 9}
    assert not updates.due_nudges(told, 10, NOW.date(), NOW, ("checkin_overdue", "review_due"))
    assert not updates.due_nudges(facts(due="2026-03-12"), 7, date(2026, 3, 5), NOW, ("review_due",))
