"""
Simultaneous requests against the workbench served by gunicorn with several worker processes.

Threads in one process would share Python objects and the GIL; the LMS runs many processes that
each read a learner's state when the request starts and write it when it ends. So the workbench
runs here as the LMS does, in several gunicorn workers (on one SQLite file and the database cache
its settings share between processes), and a barrier releases each batch of requests at the same
instant. What is asserted does not depend on timing:

* no write answered 200 is missing from the stored state afterwards (each carries a marker);
* a skill check never grades more submits than its attempt limit;
* class-wide counts equal what the learners' records of them add up to, and, once a learner whose
  count waited on a busy lock writes again, what their stored states add up to.

Each test prints its figures (trials, writes lost, attempts over the limit, count error).
"""
import json

import pytest

from tests.builders import DEMO_BOARD, DEMO_GOALS, DEMO_LINES, DEMO_SELF_ASSESSMENT, DEMO_STATEMENTS, demo_goals
from tests.harness import GunicornWorkbench

CHECK = "skill-check-two-attempts-one-single-and-one-multiple-answer.personalized_skill_check.d0.u0"
CHECK_LIMIT = 2
TRIALS = 8  # two-tab trials per handler
ATTEMPT_TRIALS = 3
SUBMITS_AT_ONCE = 12
LEARNERS_AT_ONCE = 24


@pytest.fixture(scope="module")
def server():
    running = GunicornWorkbench().start()
    yield running
    running.stop()


def warm_up(server, student, *usages):
    """Create the learner's rows first, one request at a time (the workbench's store creates a row on first read)."""
    for usage in usages:
        assert server.request("GET", usage, "student_view_user_state", student)[0] == 200


def state_of(server, usage, student):
    return server.stored(usage, student).get("learner_state", {})


def lost_writes(answers, stored_text, markers):
    """How many writes answered 200 left no trace (their marker) in what was stored."""
    return sum(1 for (status, _), marker in zip(answers, markers) if status == 200 and marker not in stored_text)


def two_tabs(server, kind, trial):
    """One learner, two tabs, the same save at the same instant: ``(answers, writes lost)``."""
    student = f"tabs-{kind}-{trial}"
    markers = [f"{kind}-{trial}-first-tab", f"{kind}-{trial}-second-tab"]
    if kind == "self_assessment.submit":
        warm_up(server, student, DEMO_SELF_ASSESSMENT)
        answers = server.at_once([(DEMO_SELF_ASSESSMENT, "submit", student, {
            "ratings": {statement: 1 + tab for statement in DEMO_STATEMENTS},
            "evidence": {"compare-fractions": marker}}) for tab, marker in enumerate(markers)])
        return answers, lost_writes(answers, json.dumps(state_of(server, DEMO_SELF_ASSESSMENT, student)), markers)
    if kind == "goal_reflection.save_goals":
        warm_up(server, student, DEMO_GOALS)
        answers = server.at_once([(DEMO_GOALS, "save_goals", student, {"revision": 0, "goals": demo_goals(marker)})
                                  for marker in markers])
        return answers, lost_writes(answers, json.dumps(state_of(server, DEMO_GOALS, student).get("goals")), markers)
    if kind == "goal_reflection.check_in":
        warm_up(server, student, DEMO_GOALS)
        status, answer = server.post(DEMO_GOALS, "save_goals", student, {"revision": 0, "goals": demo_goals("set")})
        assert status == 200, answer
        answers = server.at_once([(DEMO_GOALS, "check_in", student, {
            "revision": answer["revision"], "progress": {"long": 1, "short-1": 2},
            "helped": "Worked examples", "obstacles": "Little time", "next_step": marker})
            for marker in markers])
        return answers, lost_writes(answers, json.dumps(state_of(server, DEMO_GOALS, student).get("timeline")), markers)
    if kind == "choice_board.choose":
        warm_up(server, student, DEMO_BOARD)
        answers = server.at_once([(DEMO_BOARD, "choose", student, {"tiles": DEMO_LINES[tab], "revision": 0})
                                  for tab in range(2)])
        chosen = [entry["id"] for entry in state_of(server, DEMO_BOARD, student).get("chosen", [])]
        return answers, sum(1 for (status, _), tab in zip(answers, range(2))
                            if status == 200 and chosen != DEMO_LINES[tab])
    assert kind == "choice_board.mark_done"
    warm_up(server, student, DEMO_BOARD)
    assert server.post(DEMO_BOARD, "choose", student, {"tiles": DEMO_LINES[0]})[0] == 200
    assert server.post(DEMO_BOARD, "commit", student, {})[0] == 200
    revision = state_of(server, DEMO_BOARD, student)["revision"]
    answers = server.at_once([(DEMO_BOARD, "mark_done", student, {"tile": DEMO_LINES[0][tab], "note": marker,
                                                                  "revision": revision})
                              for tab, marker in enumerate(markers)])
    return answers, lost_writes(answers, json.dumps(state_of(server, DEMO_BOARD, student).get("done")), markers)


TWO_TAB_KINDS = ["self_assessment.submit", "goal_reflection.save_goals", "goal_reflection.check_in",
                 "choice_board.choose", "choice_board.mark_done"]


def test_two_tabs_saving_at_the_same_instant_lose_no_acknowledged_write(server):
    figures = {}
    for kind in TWO_TAB_KINDS:
        row = figures[kind] = {"trials": TRIALS, "writes_lost": 0, "statuses": {}, "no_save": 0}
        for trial in range(TRIALS):
            answers, missing = two_tabs(server, kind, trial)
            row["writes_lost"] += missing
            row["no_save"] += not any(status == 200 for status, _ in answers)
            for status, _ in answers:
                row["statuses"][status] = row["statuses"].get(status, 0) + 1
    print("two tabs:", json.dumps(figures), "duplicate rows:", len(server.duplicated))
    assert {kind: row["writes_lost"] for kind, row in figures.items()} == {kind: 0 for kind in TWO_TAB_KINDS}
    # One of the two saves always goes through; the other too, or 409 (a revision now stale), never a 500.
    assert all(set(row["statuses"]) <= {200, 409} and row["no_save"] == 0 for row in figures.values()), figures
    assert not server.duplicated


WRONG = {"answers": {"half": ["b"], "bigger": ["y"]}}


def test_simultaneous_submits_never_exceed_the_attempt_limit(server):
    graded = over = 0
    statuses = {}
    for trial in range(ATTEMPT_TRIALS):
        student = f"attempts-{trial}"
        warm_up(server, student, CHECK)
        answers = server.at_once([(CHECK, "submit", student, WRONG)] * SUBMITS_AT_ONCE)
        for status, _ in answers:
            statuses[status] = statuses.get(status, 0) + 1
        accepted = sum(1 for status, _ in answers if status == 200)
        used = state_of(server, CHECK, student).get("used", 0)
        graded += accepted
        over += max(0, accepted - CHECK_LIMIT, used - CHECK_LIMIT)
    print("attempts:", json.dumps({"trials": ATTEMPT_TRIALS, "submits_each": SUBMITS_AT_ONCE, "limit": CHECK_LIMIT,
                                   "graded": graded, "attempts_over_limit": over, "statuses": statuses}))
    assert over == 0 and graded == ATTEMPT_TRIALS * CHECK_LIMIT
    assert set(statuses) <= {200, 400, 409}, statuses  # the rest: "no attempts left" or busy, never a 500


def test_class_counts_equal_what_the_learners_states_add_up_to(server):
    students = [f"class-{number}" for number in range(LEARNERS_AT_ONCE)]
    for student in students:
        warm_up(server, student, DEMO_BOARD, DEMO_SELF_ASSESSMENT, DEMO_GOALS)
    calls = []
    for number, student in enumerate(students):
        calls.append((DEMO_BOARD, "choose", student, {"tiles": DEMO_LINES[number % len(DEMO_LINES)]}))
        calls.append((DEMO_SELF_ASSESSMENT, "submit", student, {"ratings": {
            statement: (number + offset) % 5 for offset, statement in enumerate(DEMO_STATEMENTS)}}))
        calls.append((DEMO_GOALS, "save_goals", student, {"revision": 0, "goals": demo_goals(student)}))
    failed = [answer for answer in server.at_once(calls) if answer[0] != 200]
    # A second round: half the learners change their choice and re-rate, at once.
    calls = []
    for number, student in enumerate(students[::2]):
        calls.append((DEMO_BOARD, "choose", student, {"tiles": DEMO_LINES[(number + 1) % len(DEMO_LINES)]}))
        calls.append((DEMO_SELF_ASSESSMENT, "submit", student,
                      {"ratings": {statement: 4 for statement in DEMO_STATEMENTS}}))
    failed += [answer for answer in server.at_once(calls) if answer[0] != 200]
    assert not failed, failed[:3]

    # The summaries count each learner as their own record says (counted_in_class), exactly, however the
    # requests interleaved. A record may still hold a learner's earlier contribution where the summary's
    # lock stayed busy past its wait (a loaded machine): that learner's next write applies the difference.
    for kind, (usage, _field, _read) in CLASS_COUNTS.items():
        assert class_summary(server, kind) == totals(kind, [counted(server, kind, student)[0]
                                                            for student in server.learners_of(usage)])
    deferred = {kind: [student for student in server.learners_of(usage) if len(set(map(json.dumps, counted(
        server, kind, student)))) > 1] for kind, (usage, _field, _read) in CLASS_COUNTS.items()}
    for student in deferred["board"]:
        tiles = [entry["id"] for entry in state_of(server, DEMO_BOARD, student).get("chosen", [])]
        assert server.post(DEMO_BOARD, "choose", student, {"tiles": tiles})[0] == 200
    for student in deferred["ratings"]:
        ratings = state_of(server, DEMO_SELF_ASSESSMENT, student)["history"][-1]["ratings"]
        assert server.post(DEMO_SELF_ASSESSMENT, "submit", student, {"ratings": ratings})[0] == 200
    for student in deferred["goals"]:
        state = state_of(server, DEMO_GOALS, student)
        assert server.post(DEMO_GOALS, "save_goals", student,
                           {"revision": state.get("revision", 0), "goals": demo_goals(student)})[0] == 200

    truth = {kind: totals(kind, [counted(server, kind, student)[1] for student in server.learners_of(usage)])
             for kind, (usage, _field, _read) in CLASS_COUNTS.items()}
    stored = {kind: class_summary(server, kind) for kind in CLASS_COUNTS}
    print("counts:", json.dumps({"learners": LEARNERS_AT_ONCE, "requests": 4 * LEARNERS_AT_ONCE,
                                 "deferred_by_a_busy_lock": {kind: len(found) for kind, found in deferred.items()},
                                 "counted": stored["board"]["learners"], "truth": truth["board"]["learners"]}))
    assert min(truth["board"]["learners"], truth["ratings"]["learners"], truth["goals"]) >= LEARNERS_AT_ONCE
    assert stored == truth


def chosen_tiles(state):
    return sorted(entry["id"] for entry in state.get("chosen", []))


def latest_ratings(state):
    return state["history"][-1]["ratings"] if state.get("history") else None


# Per class summary: the block, the summary field, and what one learner's stored state adds to it,
# read from the state here rather than by the blocks' own functions.
CLASS_COUNTS = {
    "board": (DEMO_BOARD, "tile_counts", chosen_tiles),
    "ratings": (DEMO_SELF_ASSESSMENT, "class_distribution", latest_ratings),
    "goals": (DEMO_GOALS, "class_counts", lambda state: bool(state.get("goals"))),
}


def counted(server, kind, student):
    """``(what the summary counts for the learner by their record, what their state adds now)``."""
    usage, field, read = CLASS_COUNTS[kind]
    stored = server.stored(usage, student)
    now = read(stored.get("learner_state", {}))
    if field not in stored.get("counted_in_class", {}):
        return now, now
    record = stored["counted_in_class"][field]
    as_recorded = {"board": lambda: sorted(record["chosen"]) if record and record["learner"] else [],
                   "ratings": lambda: record, "goals": lambda: bool(record and record["goals"])}[kind]()
    return as_recorded, now


def totals(kind, contributions):
    """The summary those contributions add up to, in the shape ``class_summary`` reads it."""
    if kind == "goals":
        return sum(contributions)
    found = {"learners": 0, "chosen" if kind == "board" else "counts": {}}
    for contribution in filter(None, contributions):
        found["learners"] += 1
        if kind == "board":
            for tile in contribution:
                found["chosen"][tile] = found["chosen"].get(tile, 0) + 1
        else:
            for statement, level in contribution.items():
                bucket = found["counts"].setdefault(statement, {})
                bucket[str(level)] = bucket.get(str(level), 0) + 1
    return found


def class_summary(server, kind):
    """A class summary as stored, without the zero counts a changed contribution leaves behind."""
    usage, field, _read = CLASS_COUNTS[kind]
    summary = server.stored(usage, None).get(field, {})
    if kind == "goals":
        return summary.get("learners_with_goals", 0)
    if kind == "board":
        return {"learners": summary.get("learners", 0),
                "chosen": {tile: count for tile, count in summary.get("chosen", {}).items() if count}}
    return {"learners": summary.get("learners", 0),
            "counts": {statement: {level: count for level, count in levels.items() if count}
                       for statement, levels in summary.get("counts", {}).items() if any(levels.values())}}
