"""
Simultaneous requests against the workbench served by gunicorn with several worker processes.

Threads in one process would share Python objects and the GIL; the LMS runs many processes that
each read a learner's state when the request starts and write it when it ends. So the workbench
runs here as the LMS does, in several gunicorn workers (on one SQLite file and the database cache
its settings share between processes), and a barrier releases each batch of requests at the same
instant. What is asserted does not depend on timing:

* no write answered 200 is missing from the stored state afterwards (each carries a marker);
* a skill check never grades more submits than its attempt limit;
* class-wide counts equal what the learners' own stored states add up to.

Each test prints its figures (trials, writes lost, attempts over the limit, count error).
"""
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from http.client import HTTPConnection

import pytest

from tests.harness import Workbench

WORKERS = 4
UNIT = "a-personalized-unit"
SELF_ASSESSMENT = f"{UNIT}.personalized_self_assessment.d0.u0"
BOARD = f"{UNIT}.personalized_choice_board.d0.u0"
GOALS = f"{UNIT}.personalized_goal_reflection.d0.u0"
CHECK = "skill-check-two-attempts-one-single-and-one-multiple-answer.personalized_skill_check.d0.u0"
CHECK_LIMIT = 2
# Lines through the centre of the demo board (tic-tac-toe, centre required).
LINES = [["recipe-project", "explain-to-peer", "fraction-game"],
         ["number-line", "explain-to-peer", "compare-quiz"],
         ["fraction-strips", "explain-to-peer", "journal"],
         ["story-problems", "explain-to-peer", "worked-examples"]]
STATEMENTS = ["compare-fractions", "add-fractions", "explain-equivalence"]
TARGET = (datetime.now(timezone.utc).date() + timedelta(days=60)).isoformat()
TRIALS = 8  # two-tab trials per handler
ATTEMPT_TRIALS = 3
SUBMITS_AT_ONCE = 12
LEARNERS_AT_ONCE = 24


class Server(Workbench):
    """``gunicorn --preload --workers N personalized_path.workbench.wsgi`` on a private SQLite file."""

    database_options = {"timeout": 60}  # writers queue for SQLite's one write lock rather than fail
    duplicated = set()

    def migrate(self):
        super().migrate()
        with sqlite3.connect(self.db) as connection:  # readers never block the writer
            connection.execute("PRAGMA journal_mode=WAL")

    def server_command(self):
        return [sys.executable, "-m", "gunicorn", "--preload", "--workers", str(WORKERS), "--timeout", "120",
                "--bind", f"127.0.0.1:{self.port}", "--control-socket", os.path.join(self.folder, "gunicorn.ctl"),
                "personalized_path.workbench.wsgi"]

    def start(self):
        super().start()
        with urllib.request.urlopen(self.url + "/scenario/personalized_self_assessment.0/?student=staff_warmup",
                                    timeout=60) as response:
            cookies = response.headers.get_all("Set-Cookie") or []
        self.csrf = next(cookie.split("=", 1)[1].split(";")[0] for cookie in cookies
                         if cookie.startswith("csrftoken="))
        return self

    def stop(self):
        super().stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def request(self, method, usage, handler, student, body=None):
        """One request on its own connection: ``(status, json)``."""
        connection = HTTPConnection("127.0.0.1", self.port, timeout=120)
        headers = {"Cookie": f"csrftoken={self.csrf}", "X-CSRFToken": self.csrf,
                   "Content-Type": "application/json", "Referer": self.url + "/"}
        try:
            connection.request(method, f"/handler/{usage}/{handler}/?student={student}",
                               body=None if body is None else json.dumps(body), headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8")
        finally:
            connection.close()
        try:
            return response.status, json.loads(text)
        except ValueError:
            return response.status, text

    def post(self, usage, handler, student, body):
        return self.request("POST", usage, handler, student, body)

    def at_once(self, calls):
        """Run ``calls`` (argument tuples for ``post``) released together by a barrier; their answers in order."""
        barrier = threading.Barrier(len(calls))

        def run(call):
            barrier.wait()
            return self.post(*call)
        with ThreadPoolExecutor(len(calls)) as pool:
            return list(pool.map(run, calls))

    def stored(self, usage, student):
        """
        A learner's fields of a block as the workbench reads them (student None: the class summary).
        Rows made twice by racing first writes are noted: the workbench reads only the first.
        """
        with sqlite3.connect(self.db, timeout=60) as connection:
            query = ("SELECT state FROM workbench_xblockstate WHERE scope='usage' AND scope_id=? AND user_id IS ? "
                     "ORDER BY id")
            rows = connection.execute(query, (usage, student)).fetchall()
        if len(rows) > 1:
            self.duplicated.add((usage, student))
        return json.loads(rows[0][0]) if rows else {}

    def learners_of(self, usage):
        """Every learner with a state row in the block (all tests' learners: the counts cover them all)."""
        with sqlite3.connect(self.db, timeout=60) as connection:
            query = ("SELECT user_id FROM workbench_xblockstate "
                     "WHERE scope='usage' AND scope_id=? AND user_id IS NOT NULL")
            return [row[0] for row in connection.execute(query, (usage,))]


@pytest.fixture(scope="module")
def server():
    running = Server().start()
    yield running
    running.stop()


def warm_up(server, student, *usages):
    """Create the learner's rows first, one request at a time (the workbench's store creates a row on first read)."""
    for usage in usages:
        assert server.request("GET", usage, "student_view_user_state", student)[0] == 200


def goals(text):
    return {"long": {"text": f"Long goal {text}", "smart": ["S"], "target_date": TARGET},
            "short-1": {"text": f"Short goal {text}", "smart": [], "target_date": TARGET}}


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
        warm_up(server, student, SELF_ASSESSMENT)
        answers = server.at_once([(SELF_ASSESSMENT, "submit", student, {
            "ratings": {statement: 1 + tab for statement in STATEMENTS},
            "evidence": {"compare-fractions": marker}}) for tab, marker in enumerate(markers)])
        return answers, lost_writes(answers, json.dumps(state_of(server, SELF_ASSESSMENT, student)), markers)
    if kind == "goal_reflection.save_goals":
        warm_up(server, student, GOALS)
        answers = server.at_once([(GOALS, "save_goals", student, {"revision": 0, "goals": goals(marker)})
                                  for marker in markers])
        return answers, lost_writes(answers, json.dumps(state_of(server, GOALS, student).get("goals")), markers)
    if kind == "goal_reflection.check_in":
        warm_up(server, student, GOALS)
        status, answer = server.post(GOALS, "save_goals", student, {"revision": 0, "goals": goals("set")})
        assert status == 200, answer
        answers = server.at_once([(GOALS, "check_in", student, {
            "revision": answer["revision"], "progress": {"long": 1, "short-1": 2},
            "helped": "Worked examples", "obstacles": "Little time", "next_step": marker})
            for marker in markers])
        return answers, lost_writes(answers, json.dumps(state_of(server, GOALS, student).get("timeline")), markers)
    if kind == "choice_board.choose":
        warm_up(server, student, BOARD)
        answers = server.at_once([(BOARD, "choose", student, {"tiles": LINES[tab], "revision": 0})
                                  for tab in range(2)])
        chosen = [entry["id"] for entry in state_of(server, BOARD, student).get("chosen", [])]
        return answers, sum(1 for (status, _), tab in zip(answers, range(2)) if status == 200 and chosen != LINES[tab])
    assert kind == "choice_board.mark_done"
    warm_up(server, student, BOARD)
    assert server.post(BOARD, "choose", student, {"tiles": LINES[0]})[0] == 200
    assert server.post(BOARD, "commit", student, {})[0] == 200
    revision = state_of(server, BOARD, student)["revision"]
    answers = server.at_once([(BOARD, "mark_done", student, {"tile": LINES[0][tab], "note": marker,
                                                             "revision": revision})
                              for tab, marker in enumerate(markers)])
    return answers, lost_writes(answers, json.dumps(state_of(server, BOARD, student).get("done")), markers)


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
        warm_up(server, student, BOARD, SELF_ASSESSMENT, GOALS)
    calls = []
    for number, student in enumerate(students):
        calls.append((BOARD, "choose", student, {"tiles": LINES[number % len(LINES)]}))
        calls.append((SELF_ASSESSMENT, "submit", student, {"ratings": {
            statement: (number + offset) % 5 for offset, statement in enumerate(STATEMENTS)}}))
        calls.append((GOALS, "save_goals", student, {"revision": 0, "goals": goals(student)}))
    failed = [answer for answer in server.at_once(calls) if answer[0] != 200]
    # A second round: half the learners change their choice and re-rate, at once.
    calls = []
    for number, student in enumerate(students[::2]):
        calls.append((BOARD, "choose", student, {"tiles": LINES[(number + 1) % len(LINES)]}))
        calls.append((SELF_ASSESSMENT, "submit", student, {"ratings": {statement: 4 for statement in STATEMENTS}}))
    failed += [answer for answer in server.at_once(calls) if answer[0] != 200]

    truth_board = {"learners": 0, "chosen": {}}
    truth_ratings = {"learners": 0, "counts": {}}
    truth_goals = 0
    for student in server.learners_of(BOARD):
        chosen = [entry["id"] for entry in state_of(server, BOARD, student).get("chosen", [])]
        truth_board["learners"] += 1 if chosen else 0
        for tile in chosen:
            truth_board["chosen"][tile] = truth_board["chosen"].get(tile, 0) + 1
    for student in server.learners_of(SELF_ASSESSMENT):
        history = state_of(server, SELF_ASSESSMENT, student).get("history", [])
        if history:
            truth_ratings["learners"] += 1
            for statement, level in history[-1]["ratings"].items():
                bucket = truth_ratings["counts"].setdefault(statement, {})
                bucket[str(level)] = bucket.get(str(level), 0) + 1
    for student in server.learners_of(GOALS):
        truth_goals += 1 if state_of(server, GOALS, student).get("goals") else 0

    board = server.stored(BOARD, None).get("tile_counts", {"learners": 0, "chosen": {}})
    ratings = server.stored(SELF_ASSESSMENT, None).get("class_distribution", {"learners": 0, "counts": {}})
    goal_counts = server.stored(GOALS, None).get("class_counts", {"learners_with_goals": 0})
    stored_chosen = {tile: count for tile, count in board["chosen"].items() if count}
    stored_ratings = {statement: {level: count for level, count in levels.items() if count}
                      for statement, levels in ratings["counts"].items()}
    error = (abs(board["learners"] - truth_board["learners"])
             + sum(abs(stored_chosen.get(tile, 0) - truth_board["chosen"].get(tile, 0))
                   for tile in set(stored_chosen) | set(truth_board["chosen"]))
             + abs(ratings["learners"] - truth_ratings["learners"])
             + sum(abs(stored_ratings.get(statement, {}).get(level, 0) - truth_ratings["counts"].get(statement, {})
                       .get(level, 0)) for statement in STATEMENTS for level in map(str, range(5)))
             + abs(goal_counts["learners_with_goals"] - truth_goals))
    print("counts:", json.dumps({"learners": LEARNERS_AT_ONCE, "requests": 4 * LEARNERS_AT_ONCE, "not_200": len(failed),
                                 "count_error": error, "counted": {"board_learners": board["learners"],
                                                                   "board_truth": truth_board["learners"]}}))
    assert not failed, failed[:3]
    assert min(truth_board["learners"], truth_ratings["learners"], truth_goals) >= LEARNERS_AT_ONCE
    assert (board["learners"], stored_chosen) == (truth_board["learners"], truth_board["chosen"])
    assert (ratings["learners"], stored_ratings) == (truth_ratings["learners"], truth_ratings["counts"])
    assert goal_counts["learners_with_goals"] == truth_goals
