"""
Every block's learner view and main handler in a real Open edX LMS, beside xblock-poll's poll and
survey and the platform's html block: ``make bench-lms LMS=<edx-platform checkout>``, which runs
this module through the platform's own test harness exactly as ``make test-lms`` runs tests/lms
(split modulestore, FieldDataCache and StudentModule on SQLite). It measures; it asserts no speed.

One course, imported from OLX; every measurement is a request of its own (the platform's request
caches emptied, crum's current request set), CPU milliseconds of this thread:
- a view is ``render("student_view")`` on the block once the LMS has bound it for the learner (a
  FieldDataCache and ``get_block_for_descriptor``, as ``render_xblock`` binds it; not timed):
  "render alone", what a block adds to a page;
- a handler is the LMS's handler view, ``handle_xblock_callback`` (the course and block looked up,
  access checked, the block bound, the handler run, its changes saved); the peers' figure is
  xblock-poll's ``vote`` plus ``get_results``, two requests, the two round trips our one answer
  replaces.
Queries are every SQL statement of the timed call.

Views render inside the modulestore's bulk operation for the course, as the LMS's ``render_xblock``
and courseware pages bind and render blocks (``modulestore().bulk_operations(course_key)``): the
course's structure and blocks are read once per request, not once per lookup.

``BENCH_PROFILE=<case name>`` (e.g. ``learning plan``) also profiles that case's timed views, and
its handler requests, with cProfile and prints the functions that took most time, cumulative, after
the table, with the SQL of one of its views; ``BENCH_PROFILE_OUT=<file>`` also writes the handlers'
profile there and the views' to ``<file>.views`` (``pstats``).

Rounds interleave everything (each case once per round, in the course's order) so that load from
other processes falls on every case alike; the views of each round get a new learner, the
handlers another. Reported: medians over ``BENCH_ROUNDS`` rounds (default 60).
"""
import cProfile
import json
import os
import pstats
import statistics
import time
from dataclasses import dataclass, field

from tests.lms.platform import platform_or_skip

platform_or_skip()

# pylint: disable=wrong-import-position,import-error
import crum  # noqa: E402
from celery.signals import task_postrun, task_prerun  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.client import RequestFactory  # noqa: E402
from django.utils import translation  # noqa: E402
from edx_django_utils.cache import RequestCache  # noqa: E402
from opaque_keys.edx.locator import CourseLocator  # noqa: E402

from common.djangoapps.student.tests.factories import CourseEnrollmentFactory, UserFactory  # noqa: E402
from lms.djangoapps.courseware.block_render import get_block_for_descriptor, handle_xblock_callback  # noqa: E402
from lms.djangoapps.courseware.model_data import FieldDataCache  # noqa: E402
from openedx.core.djangoapps.content.course_overviews.models import CourseOverview  # noqa: E402
from xmodule.modulestore.tests.django_utils import ModuleStoreTestCase  # noqa: E402

from benchmarks.queries import QueryCounter  # noqa: E402
from tests.lms.olx import attr, import_olx  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "60"))
LANGUAGE = os.environ.get("BENCH_LANGUAGE", "en")
PROFILED = os.environ.get("BENCH_PROFILE", "")
COURSE = CourseLocator("PersonalizedX", "BENCH101", "2026")
HERE = os.path.dirname(os.path.abspath(__file__))
FLOOR, POLL, SURVEY = "html", "xblock-poll poll", "xblock-poll survey"


@dataclass
class Case:
    """A block of the course: its view, and the handler a learner calls (then the peer's second one)."""

    name: str
    block_type: str
    url_name: str
    olx: str
    handler: str = ""
    payload: dict = field(default_factory=dict)
    followup: str = ""  # the peer's second round trip: get_results after vote
    peer: str = ""  # the case this one is compared with
    returning: bool = False  # the learner has viewed the block once before, in another request


def usage(block_type, url_name):
    return COURSE.make_usage_key(block_type, url_name)


def workbench_case(name):
    """A block as benchmarks/run.py measures it in the workbench (benchmarks/cases.json): OLX, handler, payload."""
    with open(os.path.join(HERE, os.pardir, "cases.json"), encoding="utf-8") as handle:
        case = next(case for case in json.load(handle) if case["name"] == name)
    return case["xml"], case["handler"], case["payload"]


def cases():
    survey_questions = [["q1", {"label": "I can compare fractions", "img": None, "img_alt": None}],
                        ["q2", {"label": "I can add fractions", "img": None, "img_alt": None}],
                        ["q3", {"label": "I can explain equivalence", "img": None, "img_alt": None}]]
    survey_answers = [["a1", "Not yet"], ["a2", "With help"], ["a3", "On my own"], ["a4", "Could teach"]]
    statements = [{"id": "compare", "text": "I can compare fractions", "skill": "fractions"},
                  {"id": "add", "text": "I can add fractions", "skill": "fractions"},
                  {"id": "explain", "text": "I can explain equivalence", "skill": "reasoning"}]
    board, board_handler, board_payload = workbench_case("choice board")
    goals, goals_handler, goals_payload = workbench_case("goal reflection")
    check, check_handler, check_payload = workbench_case("skill check")
    check_key = str(usage("personalized_skill_check", "check"))
    gate = (f'<personalized_mastery_gate url_name="gate" sources=\'{attr([check_key])}\' threshold="80">'
            '<html url_name="inside"><p>Unlocked content</p></html></personalized_mastery_gate>')
    sources = [check_key] + [str(usage(f"personalized_{kind}", name)) for kind, name in (
        ("self_assessment", "rate"), ("goal_reflection", "goals"), ("mastery_gate", "gate"))]
    return [
        Case(FLOOR, "html", "lesson", '<html url_name="lesson"><p>A static paragraph.</p></html>'),
        Case(POLL, "poll", "poll", '<poll url_name="poll"/>', "vote", {"choice": "R"}, "get_results"),
        Case(SURVEY, "survey", "survey", f'<survey url_name="survey" questions=\'{attr(survey_questions)}\' '
                                         f'answers=\'{attr(survey_answers)}\'/>',
             "vote", {"q1": "a1", "q2": "a2", "q3": "a3"}, "get_results"),
        Case("self-assessment", "personalized_self_assessment", "rate",
             f'<personalized_self_assessment url_name="rate" statements=\'{attr(statements)}\' '
             'show_class_comparison="true"/>',
             "submit", {"ratings": {"compare": 1, "add": 2, "explain": 3}, "evidence": {"add": "page 4"}}, peer=SURVEY),
        Case("choice board", "personalized_choice_board", "board", with_url_name(board, "board"),
             board_handler, board_payload, peer=POLL),
        Case("goal reflection", "personalized_goal_reflection", "goals", with_url_name(goals, "goals"),
             goals_handler, goals_payload, peer=SURVEY),
        Case("skill check", "personalized_skill_check", "check", with_url_name(check, "check"),
             check_handler, check_payload, peer=SURVEY),
        Case("mastery gate, first view", "personalized_mastery_gate", "gate", gate, "check_again", {}, peer=POLL),
        Case("mastery gate, seen before", "personalized_mastery_gate", "gate", "", peer=POLL, returning=True),
        Case("learning plan", "personalized_learning_plan", "plan",
             f'<personalized_learning_plan url_name="plan" sources=\'{attr(sources)}\'/>',
             "save_interests", {"interests": ["sport", "music"]}, peer=POLL),
    ]


def with_url_name(olx, url_name):
    """The block element of ``olx`` given a ``url_name``."""
    tag, rest = olx.split(None, 1)
    return f'{tag} url_name="{url_name}" {rest}'


def course_olx(all_cases):
    blocks = "\n".join(case.olx for case in all_cases if case.olx)
    return (f'<course display_name="Benchmark" start="2020-01-01T00:00:00Z"><chapter url_name="week1">'
            f'<sequential url_name="lesson1"><vertical url_name="unit1">{blocks}</vertical></sequential>'
            f'</chapter></course>')


class InlineTasks:
    """
    CPU time and SQL statements of the Celery tasks that ran inside a timed call: the platform's test
    settings run tasks inline (``CELERY_ALWAYS_EAGER``), where a production LMS queues them for a worker
    after the request (the grades app's subsection and course grade recalculation after a score).
    """

    def __init__(self):
        self.counter, self.depth, self.ms, self.queries, self.started = None, 0, 0.0, 0, (0.0, 0)

    def task_started(self, **kwargs):
        self.depth += 1
        if self.depth == 1 and self.counter is not None:
            self.started = (time.thread_time(), self.counter.count)

    def task_ended(self, **kwargs):
        self.depth -= 1
        if self.depth == 0 and self.counter is not None:
            self.ms += (time.thread_time() - self.started[0]) * 1000
            self.queries += self.counter.count - self.started[1]


INLINE = InlineTasks()
task_prerun.connect(INLINE.task_started, weak=False, dispatch_uid="bench_views_inline_started")
task_postrun.connect(INLINE.task_ended, weak=False, dispatch_uid="bench_views_inline_ended")


def timed(call, statements=None):
    """
    CPU milliseconds of this thread and SQL statements spent in ``call()``, its result, and how much of
    both went to Celery tasks run inline (see InlineTasks); the statements' SQL is added to
    ``statements`` when given.
    """
    counter = QueryCounter(keep=statements is not None)
    INLINE.counter, INLINE.ms, INLINE.queries = counter, 0.0, 0
    try:
        with connection.execute_wrapper(counter):
            started = time.thread_time()
            result = call()
            spent = time.thread_time() - started
    finally:
        INLINE.counter = None
        if statements is not None:
            statements.extend(counter.statements)
    return spent * 1000, counter.count, result, INLINE.ms, INLINE.queries


class ViewsAndHandlersBenchmark(ModuleStoreTestCase):
    """Not a test: a benchmark in the platform's harness (``make bench-lms``); it prints its table."""

    ENABLED_SIGNALS = ["course_published"]

    def setUp(self):
        super().setUp()
        self.cases = cases()
        with self.captureOnCommitCallbacks(execute=True):  # the gate's children synced, as after a publish
            self.course = import_olx(self.store, self.user.id, course_olx(self.cases), COURSE)
        CourseOverview.load_from_module_store(self.course.id)
        self.learners = 0
        self.profile = cProfile.Profile() if PROFILED else None
        self.handler_profile = cProfile.Profile() if PROFILED else None
        self.profiled_sql = None  # the SQL of the profiled case's first timed view

    def learner(self):
        self.learners += 1
        user = UserFactory(username=f"learner{self.learners}")
        CourseEnrollmentFactory(user=user, course_id=self.course.id)
        return user

    def request(self, user, method="get", **kwargs):
        """A new request by ``user``: the platform's request caches emptied, crum's current request set."""
        RequestCache.clear_all_namespaces()
        request = getattr(RequestFactory(), method)("/", **kwargs)
        request.user, request.session = user, {}
        request._dont_enforce_csrf_checks = True  # pylint: disable=protected-access  # as Django's test client
        crum.set_current_request(request)
        return request

    def bind(self, user, case):
        """The case's block bound for ``user`` in a new request, as the LMS's ``render_xblock`` binds it."""
        request = self.request(user)
        block = self.store.get_item(usage(case.block_type, case.url_name))
        cache = FieldDataCache.cache_for_block_descendents(self.course.id, user, block)
        bound = get_block_for_descriptor(user, request, block, cache, self.course.id, course=self.course)
        assert bound is not None, case.name
        return bound

    def view(self, user, case, profiled=False):
        """The case's view for ``user``: bound, then rendered (timed), in the bulk operation as the LMS does."""
        if case.returning:  # a learner of its own, who has viewed the block in an earlier request
            user = self.learner()
            with self.store.bulk_operations(self.course.id):
                self.bind(user, case).render("student_view", {})
        with self.store.bulk_operations(self.course.id):
            bound = self.bind(user, case)
            if profiled:
                self.profile.enable()
            try:
                statements = [] if profiled and self.profiled_sql is None else None
                spent, queries, fragment, _tasks_ms, _task_queries = timed(
                    lambda: bound.render("student_view", {}), statements)
                if statements is not None:
                    self.profiled_sql = statements
            finally:
                if profiled:
                    self.profile.disable()
        assert fragment.content, case.name
        return spent, queries

    def post(self, user, case, handler, payload):
        """The LMS's handler view (``handle_xblock_callback``: access checks, binding, the handler) for ``user``."""
        request = self.request(user, "post", data=json.dumps(payload), content_type="application/json")
        usage_id = str(usage(case.block_type, case.url_name))
        spent, queries, response, tasks_ms, task_queries = timed(
            lambda: handle_xblock_callback(request, str(self.course.id), usage_id, handler))
        assert response.status_code == 200, (case.name, handler, response.content[:300])
        return spent, queries, tasks_ms, task_queries

    def act(self, user, case, profiled=False):
        """The learner's action: our one handler, or the peer's vote and then get_results (two requests)."""
        if profiled:
            self.handler_profile.enable()
        try:
            taken = self.post(user, case, case.handler, case.payload)
            if case.followup:
                taken = tuple(mine + more for mine, more in zip(taken, self.post(user, case, case.followup, {})))
        finally:
            if profiled:
                self.handler_profile.disable()
        return taken

    def test_views_and_handlers(self):
        samples = {}  # (case name, "view"/"handler") -> [(ms, queries)]
        try:
            with translation.override(LANGUAGE):
                for index in range(ROUNDS + 1):  # round 0 warms: templates compiled, class caches filled
                    viewer, learner = self.learner(), self.learner()
                    for case in self.cases:
                        taken = self.view(viewer, case, profiled=bool(index) and case.name == PROFILED)
                        if index:
                            samples.setdefault((case.name, "view"), []).append(taken)
                    for case in self.cases:
                        if case.handler:
                            taken = self.act(learner, case, profiled=bool(index) and case.name == PROFILED)
                            if index:
                                samples.setdefault((case.name, "handler"), []).append(taken)
        finally:
            crum.set_current_request(None)
        report(self.cases, samples)
        if self.profile is not None:
            print(f"\nSQL of one {PROFILED!r} view:\n" + "\n".join(f"- {sql}" for sql in self.profiled_sql or ()))
            print(f"\nPROFILE of {PROFILED!r} views, {ROUNDS} rounds, cumulative:\n")
            pstats.Stats(self.profile).sort_stats("cumulative").print_stats(60)
            if os.environ.get("BENCH_PROFILE_OUT"):  # the views' profile beside the handlers'
                self.profile.dump_stats(os.environ["BENCH_PROFILE_OUT"] + ".views")
            if self.handler_profile.getstats():
                print(f"\nPROFILE of {PROFILED!r} handler requests, {ROUNDS} rounds, cumulative:\n")
                pstats.Stats(self.handler_profile).sort_stats("cumulative").print_stats(80)
                if os.environ.get("BENCH_PROFILE_OUT"):  # for pstats' callers and callees
                    self.handler_profile.dump_stats(os.environ["BENCH_PROFILE_OUT"])


def report(all_cases, samples):
    def ms(case, kind="view"):
        return statistics.median([taken[0] for taken in samples[(case.name, kind)]])

    def queries(case, kind="view"):
        return round(statistics.median([taken[1] for taken in samples[(case.name, kind)]]))

    by_name = {case.name: case for case in all_cases}
    floor = by_name[FLOOR]
    print(f"\n\nREAL-LMS BENCHMARK: {ROUNDS} rounds, language {LANGUAGE!r}, CPU ms (median) and SQL queries\n")
    print("| block | render alone | / peer | / html | handler | / vote + get_results |")
    print("|---|---|---|---|---|---|")
    for case in all_cases:
        cells = [case.name, f"{ms(case):.2f} ms ({queries(case)})"]
        peer = by_name.get(case.peer)
        cells.append(f"{ms(case) / ms(peer):.2f} ({peer.name.split()[-1]})" if peer else "")
        cells.append(f"{ms(case) / ms(floor):.2f}" if case is not floor else "")
        if case.handler:
            cells.append(f"{ms(case, 'handler'):.2f} ms ({queries(case, 'handler')})")
            cells.append(f"{ms(case, 'handler') / ms(peer, 'handler'):.2f}" if peer else "")
        else:
            cells += ["", ""]
        print("| " + " | ".join(cells) + " |")
    inline_tasks(all_cases, samples, by_name)


def inline_tasks(all_cases, samples, by_name):
    """The handlers' share of Celery tasks run inline (InlineTasks), and their figures without it."""
    def median(case, index):
        return statistics.median([taken[index] for taken in samples[(case.name, "handler")]])

    def without(case):
        return statistics.median([taken[0] - taken[2] for taken in samples[(case.name, "handler")]])
    inline = [case for case in all_cases if case.handler and median(case, 2) > 0]
    if not inline:
        return
    print("\nOf the handler figures, Celery tasks the test settings run inline (CELERY_ALWAYS_EAGER; a "
          "production LMS queues them for a worker after the request):")
    for case in inline:
        peer = by_name.get(case.peer)
        ratio = f" = {without(case) / without(peer):.2f}x vote + get_results" if peer else ""
        print(f"- {case.name}: {median(case, 2):.2f} ms ({round(median(case, 3))} queries) of "
              f"{median(case, 0):.2f} ms; without them {without(case):.2f} ms{ratio}")
