"""Pure logic of the learning plan: calibration, bands, trends, next steps, filters, CSV cells."""
import json
from datetime import date, datetime, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from personalized_path.core import class_grid
from personalized_path.core import plan as core
from personalized_path.core.payload import PayloadError

TODAY = date(2026, 3, 10)


def test_self_rating_spans_the_scale_whatever_its_length():
    assert core.self_percent(1, 4) == 0.0 and core.self_percent(4, 4) == 100.0
    assert core.self_percent(2, 3) == 50.0 and core.self_percent(2.5, 4) == 50.0
    assert core.self_percent(None, 4) is None and core.self_percent(0, 4) is None  # "not sure yet"
    assert core.self_percent(float("nan"), 4) is None and core.self_percent(True, 4) is None


@given(st.floats(0, 100), st.floats(0, 100))
def test_calibration_is_symmetric_around_the_margin(mine, measured):
    note = core.calibration(mine, measured)
    assert note == (core.HIGHER if mine - measured > core.CALIBRATION_MARGIN else
                    core.LOWER if measured - mine > core.CALIBRATION_MARGIN else core.MATCHED)
    flipped = core.calibration(measured, mine)
    assert {note, flipped} in ({core.MATCHED}, {core.HIGHER, core.LOWER})


def test_bands_and_trends():
    assert core.band(None, 80) == core.NO_EVIDENCE and core.band(49.9, 80) == core.BEGINNING
    assert core.band(50, 80) == core.DEVELOPING and core.band(80, 80) == core.MASTERED
    assert core.trend(None, 50) is None and core.trend(40, 50) == core.RISING
    assert core.trend(50, 40) == core.FALLING and core.trend(50, 53) == core.STEADY


def dated(outcomes):
    """Outcomes as dated answers, one a minute (the plan reads the same dated history the gate does)."""
    return [(f"2026-03-01T10:{minute:02d}:00+00:00", outcome) for minute, outcome in enumerate(outcomes)]


def test_measure_uses_the_rule_and_reports_the_value_before_the_latest_attempt():
    now, before, decision = core.measure(dated([0.0, 1.0]), core.SkillRule("latest"))
    assert (now, before) == (100.0, 0.0) and not decision.mastered and decision.needed == 5  # 6 of the last 8
    now, before, _ = core.measure(dated([1.0, 0.0]), core.SkillRule("decaying_average", {"weight": 0.65}))
    assert now == 35.0 and before == 100.0
    assert core.measure([], core.SkillRule()) == (None, None, core.mastery.Decision(needed=6))
    assert core.measure(dated([0.5]), core.SkillRule("nonsense")) == (None, None, None)
    assert core.SkillRule("bkt").mastery_threshold == 95.0 and core.SkillRule(threshold=60).mastery_threshold == 60


def test_next_steps_put_what_unlocks_the_most_first():
    gates = [
        {"key": "g1", "unlocked": False, "mode": "all", "unmet": [{"source": "check", "text": "Score 80% on Check"},
                                                                  {"source": "board", "text": "Complete the board"}]},
        {"key": "g2", "unlocked": False, "mode": "all", "unmet": [{"source": "check", "text": "Score 80% on Check"}]},
        {"key": "g3", "unlocked": False, "mode": "any", "unmet": [{"source": "goals", "text": "Set goals"}]},
        {"key": "g4", "unlocked": True, "unmet": [{"source": "never", "text": "Not shown"}]},
    ]
    steps = core.next_steps(gates, [{"source": "rate", "text": "Rate yourself"}, {"source": "check", "text": "dup"}])
    assert [step["source"] for step in steps] == ["check", "goals", "board", "rate"]
    assert steps[0]["unlocks"] == 1.5 and steps[0]["gates"] == ["g1", "g2"]
    assert len(core.next_steps(gates, [{"source": str(n), "text": "x"} for n in range(9)])) == core.MAX_NEXT_STEPS


def source(kind, key, **extra):
    return core.Source(key=key, kind=kind, title=key.title(), **extra)


SOURCES = [source(core.SELF_ASSESSMENT, "ratings", skills=("fractions",)),
           source(core.SKILL_CHECK, "check", skills=("fractions", "reasoning")),
           source(core.MASTERY_GATE, "gate", routes=({"id": "practice", "label": "Practice"},)),
           source(core.CHOICE_BOARD, "board"), source(core.GOAL_REFLECTION, "goals")]


def row(name, level=None, outcomes=(), gate=None, chosen=0, due=None):
    summaries = {"ratings": {"out_of": 4, "levels": {"fractions": level} if level else {}, "first_levels": {}},
                 "check": {"evidence": {"fractions": dated(outcomes)}},
                 "gate": gate or {}, "board": {"chosen": [{"id": "t", "title": "T", "done": False}] * chosen},
                 "goals": {"goals_set": True, "next_checkin_due": due}}
    return core.learner_row(name, SOURCES, summaries, {}, TODAY)


def test_rows_flags_and_filters():
    rows = [row("amy", 4, [0.0], {"reached_at": "2026-03-01T10:00:00+00:00", "unlocked": False}),
            row("bob", 1, [1.0, 1.0], {"reached_at": "2026-03-09", "unlocked": True, "route": "practice"}, chosen=1,
                due="2026-03-01"),
            row("cy", chosen=1)]
    amy, bob, cy = rows
    assert amy["stuck_days"] == 9 and amy["over"] and amy["no_choice"] and not amy["overdue"]
    assert bob["under"] and bob["overdue"] and bob["stuck_days"] is None
    assert bob["gates"][0]["route_label"] == "Practice" and cy["gates"][0]["status"] == "not_reached"

    def pick(**query):
        return [item["learner"] for item in class_grid.select(rows, class_grid.GridQuery(**query))[0]]
    assert pick(filter="stuck", stuck_days=7) == ["amy"] and pick(filter="stuck", stuck_days=10) == []
    assert pick(filter="overdue") == ["bob"] and pick(filter="under") == ["bob"] and pick(filter="over") == ["amy"]
    assert pick(filter="no_choice") == ["amy"] and pick(search="B") == ["bob"]
    assert pick(sort="skill:fractions") == ["amy", "bob", "cy"]  # no evidence last
    assert pick(sort="skill:fractions", descending=True) == ["bob", "amy", "cy"]
    assert pick(sort="learner", descending=True) == ["cy", "bob", "amy"]
    page, matching, pages, number = class_grid.select(rows, class_grid.GridQuery(page=5, page_size=2))
    assert (matching, pages, number, [item["learner"] for item in page]) == (3, 2, 2, ["cy"])
    counts = class_grid.route_counts(rows, SOURCES)
    assert counts == [{"key": "gate", "title": "Gate", "locked": 1, "not_reached": 1, "unlocked": 0,
                       "routes": [{"id": "practice", "label": "Practice", "count": 1}]}]


@pytest.mark.parametrize("data,field", [
    ({"filter": "lazy"}, "filter"), ({"sort": "skill:nope"}, "sort"), ({"page": 0}, "page"),
    ({"page_size": 1000}, "page_size"), ({"stuck_days": -1}, "stuck_days"), ({"stuck_days": "7"}, "stuck_days"),
    ({"descending": "yes"}, "descending"), ({"search": "x\n"}, "search"), ({"colour": 1}, "colour"),
])
def test_grid_queries_are_checked(data, field):
    with pytest.raises(PayloadError) as error:
        class_grid.parse_grid_query(data, ["fractions"])
    assert error.value.field == field


def test_csv_cells_never_start_a_formula():
    for text in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert class_grid.csv_cell(text) == "'" + text
    assert class_grid.csv_cell(-3) == "-3" and class_grid.csv_cell(None) == "" and class_grid.csv_cell(True) == "yes"
    assert class_grid.csv_text(["a", "b"], [["x,y", '"q"']]) == 'a,b\r\n"x,y","""q"""\r\n'


def test_topics_and_interests():
    assert core.validate_topics([{"id": "music", "label": "Music"}]) == []
    assert core.validate_topics([{"id": "Music!", "label": "Music"}])[0].field == "topics[0].id"
    assert core.validate_topics([{"id": "a", "label": "A"}, {"id": "a", "label": "B"}])[0].field == "topics[1].id"
    assert core.parse_interests({"interests": ["a", "a", "b"]}, ["a", "b"]) == ["a", "b"]
    assert core.stored_interests(["a", "gone", 3], ["a"]) == ["a"] and core.stored_interests("a", ["a"]) == []


def test_stored_summary_facts_hold_days_as_dates_and_what_the_grid_sorts_and_counts_on():
    summaries = {"ratings": {"out_of": 4, "levels": {"fractions": 4}, "first_levels": {}},
                 "check": {"evidence": {"fractions": dated([0.0])}},
                 "gate": {"reached_at": "2026-03-01T10:00:00+00:00", "unlocked": False},
                 "goals": {"goals_set": True, "next_checkin_due": "2026-03-05"}}
    facts = class_grid.summary_facts(SOURCES, summaries, {}, datetime(2026, 3, 2, tzinfo=timezone.utc))
    assert facts["stuck_since"] == date(2026, 3, 1) and facts["next_checkin_due"] == date(2026, 3, 5)
    assert facts["over"] and not facts["under"] and facts["no_choice"] and not facts["exception"]
    assert facts["skills"] == {"fractions": 0.0, "reasoning": None} and facts["gates"] == {"gate": "locked"}
    opened = dict(summaries, gate={"reached_at": "2026-03-01", "unlocked": True, "route": "practice"})
    facts = class_grid.summary_facts(SOURCES, opened, {}, datetime(2026, 3, 2, tzinfo=timezone.utc))
    assert facts["stuck_since"] is None and facts["gates"] == {"gate": "route:practice"}
    rules = {"fractions": core.SkillRule("n_of_m", {"n": 1, "m": 1}, 50.0)}
    assert class_grid.config_from_record(json.loads(json.dumps(class_grid.config_record(SOURCES, rules)))) == \
        (SOURCES, rules)


def test_the_csv_comes_in_pieces_that_make_the_whole_document():
    lines = [[f"learner-{number}", number] for number in range(5)]
    pieces = list(class_grid.csv_chunks(["a", "b"], iter(lines), lines_per_chunk=2))
    assert len(pieces) == 3 and "".join(pieces) == class_grid.csv_text(["a", "b"], lines)
