"""
Class counts after a database outage, and a count lock whose holder died, on a real multi-process
server (gunicorn, 4 workers) over a real database server (PostgreSQL from Debian's packages, which
`make test` installs), as the LMS runs.

* Learners write to three blocks with counts while the database is stopped for a few seconds and
  started again. Afterwards every class count must equal what the learners' own stored states add
  up to, after one staff recount at most.
* A count lock left by a process that died: other learners' writes must not wait for it to expire.

Each test prints its figures (requests by status, count error before and after the recount, the
added latency of a write while the lock's holder is dead).
"""
import glob
import hashlib
import json
import os
import pwd
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from personalized_path import class_counts
from tests.builders import DEMO_BOARD, DEMO_GOALS, DEMO_LINES, DEMO_SELF_ASSESSMENT, DEMO_STATEMENTS, demo_goals
from tests.harness import GunicornWorkbench, free_port

psycopg = pytest.importorskip("psycopg")

LEARNERS = 16
OUTAGE_SECONDS = 3
SUMMARIES = {DEMO_BOARD: "tile_counts", DEMO_SELF_ASSESSMENT: "class_distribution", DEMO_GOALS: "class_counts"}


def postgres_binary(name):
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}")) or [shutil.which(name)]
    if not found[-1]:
        pytest.fail(f"PostgreSQL's {name} is missing: `make test` installs Debian's postgresql package")
    return found[-1]


class Postgres:
    """A PostgreSQL server of its own in a temporary folder, as an unprivileged user (it refuses root)."""

    def __init__(self):
        self.folder = tempfile.mkdtemp(prefix="pp-postgres-")
        self.data = os.path.join(self.folder, "data")
        self.port = free_port()
        self.process = None
        self.user = pwd.getpwnam("nobody") if os.geteuid() == 0 else None
        if self.user:
            os.chown(self.folder, self.user.pw_uid, self.user.pw_gid)

    def _as_owner(self):
        if self.user:
            os.setgid(self.user.pw_gid)
            os.setuid(self.user.pw_uid)

    def initialise(self):
        subprocess.run([postgres_binary("initdb"), "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8",
                        "--no-sync"], check=True, stdout=subprocess.DEVNULL, preexec_fn=self._as_owner)
        return self

    def start(self):
        log = open(os.path.join(self.folder, "postgres.log"), "a",  # pylint: disable=consider-using-with
                   encoding="utf-8")
        self.process = subprocess.Popen(  # pylint: disable=consider-using-with
            [postgres_binary("postgres"), "-D", self.data, "-p", str(self.port), "-k", self.folder,
             "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "max_connections=200"],
            stdout=log, stderr=subprocess.STDOUT, preexec_fn=self._as_owner)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                psycopg.connect(**self.params(), connect_timeout=2).close()
                return self
            except psycopg.OperationalError:
                time.sleep(0.1)
        raise RuntimeError("PostgreSQL did not start")

    def stop(self):
        """A fast shutdown: open connections are cut, as when the database server goes away."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            self.process.wait(timeout=60)

    def params(self):
        return {"host": "127.0.0.1", "port": self.port, "user": "postgres", "dbname": "postgres"}

    def remove(self):
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


class PostgresServer(GunicornWorkbench):
    """The workbench under gunicorn (as test_concurrency_multiprocess.GunicornWorkbench) on the PostgreSQL server."""

    def __init__(self, database):
        super().__init__()
        self.database = database
        settings = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "postgres", "USER": "postgres",
                                "HOST": "127.0.0.1", "PORT": str(database.port)}}
        self.env["WORKBENCH_DATABASES"] = json.dumps(settings)

    def migrate(self):
        subprocess.run([sys.executable, "-m", "django", "migrate", "--run-syncdb", "-v0"],
                       cwd=self.folder, env=self.env, check=True)

    def rows(self, query, params):
        with psycopg.connect(**self.database.params()) as connection:
            return connection.execute(query, params).fetchall()

    def stored(self, usage, student):
        found = self.rows("SELECT state FROM workbench_xblockstate WHERE scope='usage' AND scope_id=%s AND "
                          + ("user_id IS NULL" if student is None else "user_id=%s") + " ORDER BY id",
                          (usage,) if student is None else (usage, student))
        return json.loads(found[0][0]) if found else {}

    def learners_of(self, usage):
        return [row[0] for row in self.rows("SELECT user_id FROM workbench_xblockstate WHERE scope='usage' "
                                            "AND scope_id=%s AND user_id IS NOT NULL", (usage,))]

    def hold_dead_lock(self, usage, summary_field):
        """Take a block's count lock from a process that then exits without letting go: a dead holder."""
        text = f"{usage}|{summary_field}"
        key = f"personalized_path.summary-lock.{hashlib.sha256(text.encode('utf-8')).hexdigest()}"
        script = ("import django; django.setup(); from django.core.cache import cache; "
                  f"assert cache.add({key!r}, 'dead-worker', {class_counts.SUMMARY_LOCK_HOLD_SECONDS})")
        subprocess.run([sys.executable, "-c", script], cwd=self.folder, env=self.env, check=True)


@pytest.fixture(scope="module")
def database():
    running = Postgres().initialise().start()
    yield running
    running.remove()


@pytest.fixture(scope="module")
def server(database):
    running = PostgresServer(database).start()
    yield running
    running.stop()


def write(server, number, student, round_number, revisions):
    """One learner's writes to the three blocks (what they write changes with the round)."""
    answers = [
        server.post(DEMO_BOARD, "choose", student, {"tiles": DEMO_LINES[(number + round_number) % len(DEMO_LINES)]}),
        server.post(DEMO_SELF_ASSESSMENT, "submit", student, {"ratings": {
            statement: (number + round_number + offset) % 5 for offset, statement in enumerate(DEMO_STATEMENTS)}}),
        server.post(DEMO_GOALS, "save_goals", student, {"revision": revisions.get(student, 0),
                                                        "goals": demo_goals(f"{student} {round_number}")}),
    ]
    status, answer = answers[-1]
    if status in (200, 409) and isinstance(answer, dict) and isinstance(answer.get("revision"), int):
        revisions[student] = answer["revision"]
    return answers


def recount(server, usage):
    """Staff's "Recount now"; while a count lock is still held (by a dead holder: until it expires), again."""
    deadline = time.monotonic() + 10 * class_counts.SUMMARY_LOCK_HOLD_SECONDS
    status, answer = server.post(usage, "recount_class", "staff_recount", {})
    while status == 409 and time.monotonic() < deadline:
        time.sleep(0.5)
        status, answer = server.post(usage, "recount_class", "staff_recount", {})
    return status, answer


def count_error(server):
    """How far each block's stored counts are from what the learners' own stored states add up to."""
    truth_board, truth_ratings, truth_goals = {"learners": 0}, {"learners": 0}, 0
    for student in server.learners_of(DEMO_BOARD):
        state = server.stored(DEMO_BOARD, student).get("learner_state", {})
        chosen = [entry["id"] for entry in state.get("chosen", [])]
        truth_board["learners"] += bool(chosen)
        for tile in chosen:
            truth_board[tile] = truth_board.get(tile, 0) + 1
    for student in server.learners_of(DEMO_SELF_ASSESSMENT):
        history = server.stored(DEMO_SELF_ASSESSMENT, student).get("learner_state", {}).get("history", [])
        truth_ratings["learners"] += bool(history)
        for statement, level in (history[-1]["ratings"].items() if history else ()):
            truth_ratings[f"{statement}={level}"] = truth_ratings.get(f"{statement}={level}", 0) + 1
    for student in server.learners_of(DEMO_GOALS):
        truth_goals += bool(server.stored(DEMO_GOALS, student).get("learner_state", {}).get("goals"))
    board = server.stored(DEMO_BOARD, None).get("tile_counts", {})
    ratings = server.stored(DEMO_SELF_ASSESSMENT, None).get("class_distribution", {})
    counted_board = dict({tile: count for tile, count in board.get("chosen", {}).items() if count},
                         learners=board.get("learners", 0))
    counted_ratings = {f"{statement}={level}": count for statement, levels in ratings.get("counts", {}).items()
                       for level, count in levels.items() if count}
    counted_ratings["learners"] = ratings.get("learners", 0)
    counted_goals = server.stored(DEMO_GOALS, None).get("class_counts", {}).get("learners_with_goals", 0)

    def distance(counted, truth):
        return sum(abs(counted.get(key, 0) - truth.get(key, 0)) for key in set(counted) | set(truth))
    return {"board": distance(counted_board, truth_board), "ratings": distance(counted_ratings, truth_ratings),
            "goals": abs(counted_goals - truth_goals)}


def test_class_counts_equal_the_learners_records_after_a_database_outage(server, database):
    students = [f"outage-{number}" for number in range(LEARNERS)]
    statuses, stop_load, revisions = {}, threading.Event(), {}

    def learner(number):
        round_number = 0
        while not stop_load.is_set():
            for status, _ in write(server, number, students[number], round_number, revisions):
                statuses[status] = statuses.get(status, 0) + 1
            round_number += 1
    with ThreadPoolExecutor(LEARNERS) as pool:
        for number in range(LEARNERS):
            pool.submit(learner, number)
        time.sleep(3)
        database.stop()
        time.sleep(OUTAGE_SECONDS)
        database.start()
        time.sleep(6)
        stop_load.set()
    before = count_error(server)
    for usage in SUMMARIES:
        status, answer = recount(server, usage)
        assert status == 200, answer
    after = count_error(server)
    print("outage:", json.dumps({"learners": LEARNERS, "outage_seconds": OUTAGE_SECONDS, "statuses": statuses,
                                 "count_error_before_recount": before, "count_error_after_recount": after}))
    assert statuses.get(200, 0) > LEARNERS and after == {"board": 0, "ratings": 0, "goals": 0}


def test_a_count_lock_whose_holder_died_delays_other_learners_by_its_short_wait_only(server):
    students = [f"dead-lock-{number}" for number in range(8)]

    def timed_choice(student, tiles):
        started = time.monotonic()
        status, answer = server.post(DEMO_BOARD, "choose", student, {"tiles": tiles})
        assert status == 200, answer
        return time.monotonic() - started
    baseline = [timed_choice(student, DEMO_LINES[0]) for student in students]
    server.hold_dead_lock(DEMO_BOARD, "tile_counts")
    held = [timed_choice(student, DEMO_LINES[1]) for student in students]
    added = statistics.median(held) - statistics.median(baseline)
    status, answer = recount(server, DEMO_BOARD)  # once the dead lock has expired
    errors = count_error(server)
    print("dead lock:", json.dumps({"writes": len(held), "median_without_s": round(statistics.median(baseline), 3),
                                    "median_with_dead_holder_s": round(statistics.median(held), 3),
                                    "added_s": round(added, 3), "max_with_dead_holder_s": round(max(held), 3),
                                    "lock_wait_s": class_counts.SUMMARY_LOCK_WAIT_SECONDS,
                                    "lock_expires_after_s": class_counts.SUMMARY_LOCK_HOLD_SECONDS,
                                    "count_error_after_recount": errors}))
    # The writes did not wait for the dead lock to expire (they saved, deferring their counts), and
    # one recount once it expired made every count right.
    assert added < class_counts.SUMMARY_LOCK_HOLD_SECONDS
    assert status == 200 and errors == {"board": 0, "ratings": 0, "goals": 0}, answer
