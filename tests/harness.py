"""
Test harness shared by every block's tests.

* ``BlockEnv``: blocks on ``xblock.test.tools.TestRuntime`` with real field storage, our i18n
  service, a user service with a staff flag, and published events recorded.
* ``call``: invoke a handler the way the LMS does (a webob request through ``runtime.handle``).
* ``ok``, ``html_of``, ``render``: a handler call that must succeed, a block's view as a page shows it.
* ``Workbench``: a real workbench server (``runserver``) on 127.0.0.1 for browser tests;
  ``GunicornWorkbench``: the same in several gunicorn worker processes, for the multi-process tests.
"""
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from http.client import HTTPConnection
from io import BytesIO

from django.core.cache.backends.locmem import LocMemCache
from edx_user_state_client.interface import XBlockUserState, XBlockUserStateClient
from webob import Request

from xblock.fields import Scope
from xblock.reference.user_service import UserService, XBlockUser
from xblock.runtime import DictKeyValueStore, KeyValueStore, KvsFieldData
from xblock.test.tools import TestRuntime

from personalized_path.workbench.services import PackageI18nService

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ARTIFACTS = os.path.join(ROOT, "test-artifacts")


class StaffAwareUserService(UserService):
    """The LMS's user service: username, staff flag and the preferences it passes on (the time zone)."""

    def __init__(self, user_id, staff, time_zone=None):
        super().__init__()
        self.user_id, self.staff, self.time_zone = user_id, staff, time_zone

    def get_current_user(self):
        user = XBlockUser(is_current_user=True, emails=[f"{self.user_id}@example.com"], full_name=self.user_id)
        preferences = {"time_zone": self.time_zone} if self.time_zone else {}
        user.opt_attrs.update({"edx-platform.username": self.user_id, "edx-platform.user_is_staff": self.staff,
                               "edx-platform.user_preferences": preferences})
        return user


class DictUserStateService:
    """The LMS's ``user_state`` service over the test store: one learner's stored fields of one block."""

    def __init__(self, kvs):
        self.kvs = kvs

    def get_state_as_dict(self, username_or_email, block_id):
        return {key.field_name: value for key, value in self.kvs.db_dict.items()
                if key.scope == Scope.user_state and key.user_id == username_or_email
                and key.block_scope_id == block_id}


class KvsUserStateClient(XBlockUserStateClient):
    """
    The platform's user-state client interface over the test runtime's key-value store (the very
    store the blocks write), counting the reads that span many learners.
    """

    def __init__(self, kvs):
        self.kvs = kvs
        self.block_reads = 0

    def _by_learner(self, block_key=None, username=None):
        found = {}
        for key, value in list(self.kvs.db_dict.items()):
            if key.scope != Scope.user_state or (block_key is not None and key.block_scope_id != block_key) \
                    or (username is not None and key.user_id != username):
                continue
            found.setdefault((key.user_id, key.block_scope_id), {})[key.field_name] = value
        return found

    def get_many(self, username, block_keys, scope=Scope.user_state, fields=None):
        wanted = {str(key) for key in block_keys}
        for (user, block), state in self._by_learner(username=username).items():
            if str(block) in wanted:
                yield XBlockUserState(user, block, {name: value for name, value in state.items()
                                                    if fields is None or name in fields}, None, scope)

    def set_many(self, username, block_keys_to_state, scope=Scope.user_state):
        for block, state in block_keys_to_state.items():
            for name, value in state.items():
                self.kvs.set(KeyValueStore.Key(scope, username, block, name), value)

    def delete_many(self, username, block_keys, scope=Scope.user_state, fields=None):
        for (user, block), state in self._by_learner(username=username).items():
            if block in block_keys:
                for name in state if fields is None else fields:
                    self.kvs.db_dict.pop(KeyValueStore.Key(scope, user, block, name), None)

    def iter_all_for_block(self, block_key, scope=Scope.user_state):
        self.block_reads += 1
        for (user, block), state in self._by_learner(block_key=block_key).items():
            yield XBlockUserState(user, block, state, None, scope)


class RecordingRuntime(TestRuntime):
    """TestRuntime that records published events and answers URL questions with stable strings."""

    def __init__(self, env, user_id, staff, field_data=None, mixins=()):
        super().__init__(
            id_reader=env.ids, id_generator=env.ids, mixins=mixins,
            services={
                "field-data": field_data or KvsFieldData(env.kvs),
                "i18n": PackageI18nService(),
                # Each user's time zone preference, as the platform keeps it (env.time_zones: user -> zone).
                "user": StaffAwareUserService(user_id, staff, getattr(env, "time_zones", {}).get(user_id)),
                "personalized_clock": env.clock,
                "cache": env.cache,
                "user_state": DictUserStateService(env.kvs),
                # The LMS stand-in's course has none: like the LMS, it offers no such service.
                "user_state_client": getattr(env, "user_states", None),
            },
        )
        self.env = env
        self.user_id = user_id

    def publish(self, block, event_type, event_data):
        self.env.events.append({"user": self.user_id, "usage": str(block.scope_ids.usage_id),
                                "name": event_type, "data": event_data})

    def handler_url(self, block, handler_name, suffix="", query="", thirdparty=False):
        return f"/handler/{block.scope_ids.usage_id}/{handler_name}/{suffix}"

    def local_resource_url(self, block, uri):
        return f"/resource/{block.scope_ids.block_type}/{uri}"

    def resource_url(self, resource):
        return f"/static/{resource}"


class MovableClock:
    """The blocks' clock in tests: real time, moved on by ``advance`` (time passes without waiting)."""

    def __init__(self):
        self.offset = timedelta()

    def now(self):
        return datetime.now(timezone.utc) + self.offset

    def set(self, moment):
        """Make it ``moment`` now (an aware datetime), give or take the milliseconds a test takes."""
        self.offset = moment - datetime.now(timezone.utc)

    def advance(self, days):
        self.offset += timedelta(days=days)


class StudioPermissions:
    """Stand-in for Studio's ``studio_user_permissions`` service: write access to the course, or not."""

    def __init__(self, can_write):
        self.writable = can_write

    def can_write(self, course_key):  # pylint: disable=unused-argument
        return self.writable


def in_studio(block, can_write=True):
    """``block`` as Studio loads it for a user (no staff flag from the user service; the permission service)."""
    services = block.runtime._services  # pylint: disable=protected-access
    services["studio_user_permissions"] = StudioPermissions(can_write)
    return block


class BlockEnv:
    """One course's worth of content shared by any number of learners."""

    def __init__(self):
        self.clock = MovableClock()
        self.time_zones = {}  # user id -> the time zone preference the user service reports
        self.kvs = DictKeyValueStore()
        # The blocks' locks and summary copies, as the LMS's shared cache (a name of its own: LocMemCache
        # instances of one name share their data).
        self.cache = LocMemCache(f"pp-tests-{uuid.uuid4().hex}", {})
        self.events = []
        self.ids = TestRuntime().id_reader  # a MemoryIdManager: reader and generator in one
        self.user_states = KvsUserStateClient(self.kvs)

    def runtime(self, user_id="student_1", staff=False):
        return RecordingRuntime(self, user_id, staff)

    def load(self, xml):
        """Parse OLX; return the usage id of its root."""
        return self.runtime().parse_xml_string(xml)

    def block(self, usage_id, user_id="student_1", staff=False):
        """A fresh block instance for this learner (fresh, so it reads what was saved)."""
        return self.runtime(user_id, staff).get_block(usage_id)

    def events_named(self, suffix):
        return [event for event in self.events if event["name"].endswith(suffix)]


class WithoutFreshReads(BlockEnv):
    """A runtime without the ``user_state`` service (as Studio's preview): no fresh read under the lock."""

    def runtime(self, user_id="student_1", staff=False):
        runtime = super().runtime(user_id, staff)
        del runtime._services["user_state"]  # pylint: disable=protected-access
        return runtime


def call(block, handler, payload=None, method="POST", body=None):
    """Run ``handler`` as the runtime does (fields are saved afterwards); return (status, json)."""
    if body is None:
        body = json.dumps(payload).encode("utf-8") if payload is not None else b""
    request = Request.blank("/", method=method, body=body if method != "GET" else None,
                            headers={"Content-Type": "application/json"})
    response = block.runtime.handle(block, handler, request)
    try:
        data = json.loads(response.body.decode("utf-8")) if response.body else None
    except ValueError:
        data = response.body.decode("utf-8")
    return response.status_code, data


def ok(block, handler, payload):
    """``call`` that must answer 200: the answer's data."""
    status, data = call(block, handler, payload)
    assert status == 200, data
    return data


def html_of(block):
    """The block's student view as the page body shows it."""
    return block.render("student_view", {}).body_html()


def render(env, usage, user="student_1", staff=False):
    """The student view through the runtime (as a page renders it): wrappers, linked blocks and all."""
    block = env.block(usage, user, staff=staff)
    return block.runtime.render(block, "student_view").content


def olx_round_trip(env, usage_id):
    """Export a block to OLX and import it into a new course: ``(original, imported copy)``."""
    block = env.block(usage_id)
    exported = BytesIO()
    block.runtime.export_to_xml(block, exported)
    again = BlockEnv()
    return block, again.block(again.runtime().parse_xml_file(BytesIO(exported.getvalue())))


def field_snapshot(env, usage_id, user_id="student_1"):
    """Every field of a block as stored, for "nothing changed" assertions."""
    block = env.block(usage_id, user_id)
    return {name: json.dumps(field.to_json(field.read_from(block)), sort_keys=True)
            for name, field in block.fields.items()
            if field.scope in (Scope.content, Scope.settings, Scope.user_state, Scope.user_state_summary)}


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Workbench:
    """A workbench server (the same settings as ``make workbench``) on a private SQLite file."""

    database_options = {}

    def __init__(self):
        self.folder = tempfile.mkdtemp(prefix="pp-workbench-")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.db = os.path.join(self.folder, "workbench.db")
        database = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": self.db,
                                "OPTIONS": dict(self.database_options)}}
        self.env = dict(os.environ, DJANGO_SETTINGS_MODULE="personalized_path.workbench.settings",
                        WORKBENCH_DATABASES=json.dumps(database), PYTHONUNBUFFERED="1")
        self.process = None

    def migrate(self):
        subprocess.run([sys.executable, "-m", "django", "migrate", "--run-syncdb", "-v0"],
                       cwd=self.folder, env=self.env, check=True)

    def server_command(self):
        return [sys.executable, "-m", "django", "runserver", f"127.0.0.1:{self.port}", "--noreload"]

    def start(self):
        self.migrate()
        log_path = os.path.join(self.folder, "server.log")
        self.log = open(log_path, "w", encoding="utf-8")  # pylint: disable=consider-using-with
        self.process = subprocess.Popen(  # pylint: disable=consider-using-with
            self.server_command(), cwd=self.folder, env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                # The first request builds every scenario (xblock-sdk does it lazily, and a second
                # request during that sees a partial list): give it all the time it needs.
                with urllib.request.urlopen(self.url + "/", timeout=120):
                    return self
            except OSError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.2)
        raise RuntimeError("workbench did not start:\n" + open(self.log.name, encoding="utf-8").read())

    def stop(self):
        if self.process:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.log.close()

    def scenario(self, scenario_id, student, view=""):
        suffix = f"{view}/" if view else ""
        return f"{self.url}/scenario/{scenario_id}/{suffix}?student={student}"


class GunicornWorkbench(Workbench):
    """``gunicorn --preload --workers N personalized_path.workbench.wsgi`` on a private SQLite file."""

    workers = 4
    database_options = {"timeout": 60}  # writers queue for SQLite's one write lock rather than fail
    duplicated = set()

    def migrate(self):
        super().migrate()
        with sqlite3.connect(self.db) as connection:  # readers never block the writer
            connection.execute("PRAGMA journal_mode=WAL")

    def server_command(self):
        return [sys.executable, "-m", "gunicorn", "--preload", "--workers", str(self.workers), "--timeout", "120",
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


def unisolated(html):
    """Rendered markup without the ``<bdi>`` that isolates author and learner text inside sentences."""
    return html.replace("<bdi>", "").replace("</bdi>", "")
