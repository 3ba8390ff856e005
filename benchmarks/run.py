"""
Side-by-side benchmark: our blocks against xblock-poll's poll and survey and the SDK's html_demo,
in ONE workbench process.

Run with ``make bench`` (it builds .venv-bench with xblock-poll, which the project itself never
installs). Each round renders every case's ``student_view`` and calls its state-changing handler
for a fresh learner, cases interleaved so that load from other processes falls on all alike,
through the real WorkbenchRuntime on SQLite with the project's workbench settings: its field-data
service reads each state row once per request and writes it once, as the LMS does, for the peer
as for us. The peer's handler figure is ``vote`` plus ``get_results``: the two round trips our one
answer replaces. Queries are every SQL statement of the call; bytes are the HTML of a view and
the body of each answer.

Instruction counts (independent of load) come from the same calls in a second process under
valgrind's callgrind; ``BENCH_CALLGRIND=0`` skips them. ``BENCH_ROUNDS`` sets the rounds (default
150). Results print as a table and go to benchmarks/results/latest.json.
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

import workbench_db
from queries import QueryCounter

workbench_db.setup("pp-bench-")

from django.db import connection  # noqa: E402  pylint: disable=wrong-import-position
from web_fragments.fragment import Fragment  # noqa: E402  pylint: disable=wrong-import-position
from webob import Request  # noqa: E402  pylint: disable=wrong-import-position
from workbench.runtime import ID_MANAGER, WorkbenchRuntime  # noqa: E402  pylint: disable=wrong-import-position

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "150"))
CALLGRIND_CALLS = int(os.environ.get("BENCH_CALLGRIND_CALLS", "5"))
HERE = os.path.dirname(os.path.abspath(__file__))
FLOOR = "html_demo"
# The workbench's aside lookup (``Runtime.applicable_aside_types``: every installed entry point is
# scanned on every render). The LMS skips it unless XBlockAsidesConfig is enabled.
ASIDES = "workbench aside lookup"
# A view of ours whose student_view answers a constant paragraph: what the runtime charges around it.
RUNTIME_SHARE = "runtime share"


@dataclass
class Case:
    """One block: its view, and a handler (then a follow-up handler, for the peer) a fresh learner may call."""

    name: str
    xml: str
    handler: str = ""
    payload: dict = field(default_factory=dict)
    baseline: str = ""  # name of the case this one is compared with
    followup: str = ""  # the peer's second round trip (get_results after vote)
    # A learner's actions one after the other, [handler, payload] each: the size of every answer.
    actions: list = field(default_factory=list)
    # The viewer has seen the block before: the view measured is their second (a first view may store).
    returning: bool = False
    usage: str = field(default="", init=False)


SURVEY_QUESTIONS = [["q1", {"label": "I can compare fractions", "img": None, "img_alt": None}],
                    ["q2", {"label": "I can add fractions", "img": None, "img_alt": None}],
                    ["q3", {"label": "I can explain equivalence", "img": None, "img_alt": None}]]
SURVEY_ANSWERS = [["a1", "Not yet"], ["a2", "With help"], ["a3", "On my own"], ["a4", "Could teach"]]

CASES = [
    Case(FLOOR, "<html_demo><p>The workbench floor: a static paragraph.</p></html_demo>"),
    Case("xblock-poll survey", f"<survey questions='{json.dumps(SURVEY_QUESTIONS)}' "
                               f"answers='{json.dumps(SURVEY_ANSWERS)}'/>",
         "vote", {"q1": "a1", "q2": "a2", "q3": "a3"}, followup="get_results"),
    Case("xblock-poll poll", "<poll/>", "vote", {"choice": "R"}, followup="get_results"),
    Case("self-assessment", "<personalized_self_assessment statements='" + json.dumps([
        {"id": "compare", "text": "I can compare fractions", "skill": "fractions"},
        {"id": "add", "text": "I can add fractions", "skill": "fractions"},
        {"id": "explain", "text": "I can explain equivalence", "skill": "reasoning"}])
         + "' show_class_comparison='true'/>",
         "submit", {"ratings": {"compare": 1, "add": 2, "explain": 3}, "evidence": {"add": "page 4"}},
         baseline="xblock-poll survey",
         actions=[["submit", {"ratings": {"compare": 1, "add": 2, "explain": 3}}],
                  ["submit", {"ratings": {"compare": 2, "add": 3, "explain": 3}}]]),
]
EXTRA_CASES = os.path.join(HERE, "cases.json")  # later blocks add theirs here


def load_cases():
    cases = list(CASES)
    if os.path.exists(EXTRA_CASES):
        with open(EXTRA_CASES, encoding="utf-8") as handle:
            cases += [Case(**case) for case in json.load(handle)]
    for case in cases:
        ID_MANAGER.set_scenario("bench-" + case.name.replace(" ", "-"))
        case.usage = WorkbenchRuntime("author").parse_xml_string(case.xml)
    return cases


def render(case, learner):
    """One page view by ``learner``: a runtime (a request) of its own. Returns the HTML's bytes."""
    runtime = WorkbenchRuntime(learner)
    return len(runtime.render(runtime.get_block(case.usage), "student_view", {}).body_html().encode("utf-8"))


def post(case, learner, handler, payload):
    """One handler request by ``learner`` (a runtime of its own). Returns the answer's bytes and its JSON."""
    runtime = WorkbenchRuntime(learner)
    request = Request.blank("/", method="POST", body=json.dumps(payload).encode("utf-8"),
                            headers={"Content-Type": "application/json"})
    response = runtime.handle(runtime.get_block(case.usage), handler, request)
    assert response.status_code == 200, (case.name, handler, response.body[:300])
    body = json.loads(response.body)
    assert not body.get("errors") and body.get("success", True), (case.name, body)
    return len(response.body), body


def handle(case, learner):
    """The learner's action: our one handler, or the peer's vote and then get_results. Returns answer bytes."""
    size = post(case, learner, case.handler, case.payload)[0]
    if case.followup:
        size += post(case, learner, case.followup, {})[0]
    return size


def answer_sizes(cases):
    """
    Bytes of each answer in a learner's sequence of actions, and which parts of the view it carries
    (``html``: the whole block), beside the bytes of the view itself.
    """
    rows = []
    for case in cases:
        if not case.actions:
            continue
        learner = f"{case.name}-sizes"
        view = render(case, learner)
        for handler, payload in case.actions:
            size, body = post(case, learner, handler, payload)
            carried = "+".join(sorted(body["parts"])) if "parts" in body else "html (whole block)"
            rows.append({"case": case.name, "handler": handler, "bytes": size, "view_bytes": view,
                         "carries": carried})
    return rows


def timed(function, *args):
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        start = time.perf_counter()
        size = function(*args)
        elapsed = (time.perf_counter() - start) * 1000
    return elapsed, counter.count, size


def summary(samples):
    times = sorted(sample[0] for sample in samples)
    return {"median_ms": round(statistics.median(times), 3), "p90_ms": round(times[int(0.9 * len(times)) - 1], 3),
            "queries": round(statistics.mean(sample[1] for sample in samples), 2),
            "bytes": round(statistics.mean(sample[2] for sample in samples))}


def measure_times(cases):
    for case in cases:  # warm: compiled templates, translations, class caches
        render(case, "warm-viewer")
        if case.handler:
            handle(case, "warm-learner")
    samples = {case.name: {"view": [], "handler": []} for case in cases}
    for index in range(ROUNDS):
        for case in cases:
            viewer = f"{case.name}-viewer-{index}"
            if case.returning:
                render(case, viewer)
            samples[case.name]["view"].append(timed(render, case, viewer))
            if case.handler:
                samples[case.name]["handler"].append(timed(handle, case, f"{case.name}-learner-{index}"))
    return {name: {kind: summary(values) for kind, values in kinds.items() if values}
            for name, kinds in samples.items()}


# --- instruction counts: the same calls in a child process under callgrind --------------------------

def marker():
    """Callgrind dumps its counters each time this C function runs (``--dump-before=os_getppid``)."""
    os.getppid()


def view_owner(case):
    """The class that defines the student_view of ``case``'s block."""
    block_class = type(WorkbenchRuntime("share-viewer").get_block(case.usage))
    return next(klass for klass in block_class.__mro__ if "student_view" in vars(klass))


@contextmanager
def constant_view(case):
    """The block of ``case`` answers its student_view with a constant paragraph meanwhile."""
    owner = view_owner(case)
    original = vars(owner)["student_view"]
    owner.student_view = lambda self, context=None: Fragment("<p>A constant paragraph.</p>")
    try:
        yield
    finally:
        owner.student_view = original


def callgrind_child(go_file):
    """Run CALLGRIND_CALLS views and handlers per case between markers; print what each part holds."""
    cases = load_cases()
    for case in cases:
        render(case, "warm-viewer")
        if case.handler:
            handle(case, "warm-learner")
    parts = [(ASIDES, "view")]
    for case in cases:
        if case.returning:
            parts.append((case.name, "first view"))
        parts.append((case.name, "view"))
        if case.handler:
            parts.append((case.name, "handler"))
        if case.baseline:
            parts.append((case.name, RUNTIME_SHARE))
    print(json.dumps(parts), flush=True)
    floor = next(case for case in cases if case.name == FLOOR)
    runtime = WorkbenchRuntime("aside-viewer")
    floor_block = runtime.get_block(floor.usage)
    while not os.path.exists(go_file):  # the parent switches instrumentation on, then creates the file
        time.sleep(0.05)
    marker()
    for _index in range(CALLGRIND_CALLS):  # what every view pays in the workbench for asides
        runtime.applicable_aside_types(floor_block)
    marker()
    for case in cases:
        if case.returning:  # their first views, counted apart
            for index in range(CALLGRIND_CALLS):
                render(case, f"{case.name}-cg-viewer-{index}")
            marker()
        for index in range(CALLGRIND_CALLS):
            render(case, f"{case.name}-cg-viewer-{index}")
        marker()
        if case.handler:
            for index in range(CALLGRIND_CALLS):
                handle(case, f"{case.name}-cg-learner-{index}")
            marker()
        if case.baseline:
            with constant_view(case):
                for index in range(CALLGRIND_CALLS):
                    render(case, f"{case.name}-cg-share-{index}")
            marker()


def measure_instructions():
    """Instructions per call for each case's view and handler, or {} when valgrind is unavailable."""
    if os.environ.get("BENCH_CALLGRIND", "1") == "0":
        return {}
    folder = tempfile.mkdtemp(prefix="pp-callgrind-")
    go_file = os.path.join(folder, "go")
    command = ["valgrind", "--tool=callgrind", "--instr-atstart=no", "--dump-before=os_getppid",
               f"--callgrind-out-file={folder}/cg.out", sys.executable,
               os.path.abspath(__file__), "--callgrind-child", go_file]
    try:
        env = {name: value for name, value in os.environ.items() if name != "WORKBENCH_DATABASES"}
        child = subprocess.Popen(  # pylint: disable=consider-using-with
            command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    except FileNotFoundError:
        print("valgrind not found: no instruction counts")
        return {}
    parts = json.loads(child.stdout.readline())
    subprocess.run(["callgrind_control", "-i", "on", str(child.pid)], check=True, capture_output=True)
    open(go_file, "w", encoding="ascii").close()  # pylint: disable=consider-using-with
    child.wait()
    dumps = sorted((name for name in os.listdir(folder) if name.startswith("cg.out.")),
                   key=lambda name: int(name.rsplit(".", 1)[1]))
    counts = []
    for name in dumps[1:]:  # the first part runs from instrumentation on to the first marker
        with open(os.path.join(folder, name), encoding="utf-8") as handle_:
            counts.append(next(int(line.split()[1]) for line in handle_ if line.startswith("summary:")))
    result = {}
    for (case, kind), count in zip(parts, counts):
        result.setdefault(case, {})[kind] = count // CALLGRIND_CALLS
    return result


# --- report -------------------------------------------------------------------------------------------

def ratio(value, base):
    return f"x{value / base:.2f}" if value is not None and base else "-"


def report(cases, times, instructions, sizes):
    def instr(name, kind):
        return instructions.get(name, {}).get(kind)

    print(f"{ROUNDS} interleaved rounds per cell (median ms), SQLite, Python {sys.version.split()[0]}; "
          f"instructions: callgrind, mean of {CALLGRIND_CALLS} calls (Mi = millions)")
    print("Peer handler = vote + get_results (two requests). Goals: view <= x0.50 peer and <= x1.50 html_demo; "
          "handler <= x1.00 peer with no more queries.")
    header = (f"{'case':20} | {'view ms':>8} {'Mi':>6} {'q':>3} {'bytes':>6} | {'handler ms':>10} {'Mi':>6} "
              f"{'q':>3} {'answer B':>8} | {'view/peer ms':>12} {'Mi':>6} | {'view/floor ms':>13} {'Mi':>6} | "
              f"{'handler/peer ms':>15} {'Mi':>6} {'q':>7}")
    print(header)
    print("-" * len(header))
    floor = times[FLOOR]["view"]
    for case in cases:
        view, handler = times[case.name]["view"], times[case.name].get("handler")
        view_i, handler_i = instr(case.name, "view"), instr(case.name, "handler")
        line = (f"{case.name:20} | {view['median_ms']:>8.2f} {(view_i or 0) / 1e6:>6.2f} {view['queries']:>3.0f} "
                f"{view['bytes']:>6} | ")
        line += (f"{handler['median_ms']:>10.2f} {(handler_i or 0) / 1e6:>6.2f} {handler['queries']:>3.0f} "
                 f"{handler['bytes']:>8} | " if handler else f"{'':>10} {'':>6} {'':>3} {'':>8} | ")
        if case.baseline:
            peer = times[case.baseline]
            line += (f"{ratio(view['median_ms'], peer['view']['median_ms']):>12} "
                     f"{ratio(view_i, instr(case.baseline, 'view')):>6} | "
                     f"{ratio(view['median_ms'], floor['median_ms']):>13} {ratio(view_i, instr(FLOOR, 'view')):>6} | ")
            line += (f"{ratio(handler['median_ms'], peer['handler']['median_ms']):>15} "
                     f"{ratio(handler_i, instr(case.baseline, 'handler')):>6} "
                     f"{handler['queries']:>3.0f}/{peer['handler']['queries']:<3.0f}" if handler else f"{'':>31}")
            line += f"  ({case.baseline})"
        print(line)
    report_asides(cases, instr)
    report_room(cases, instr)
    print("\nBytes per answer, one learner's actions in turn (the view's bytes beside them):")
    for row in sizes:
        print(f"  {row['case']:20} {row['handler']:12} {row['bytes']:>7} B of a {row['view_bytes']:>6} B view, "
              f"carries {row['carries']}")
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    with open(os.path.join(HERE, "results", "latest.json"), "w", encoding="utf-8") as handle_:
        json.dump({"rounds": ROUNDS, "callgrind_calls": CALLGRIND_CALLS, "times": times,
                   "instructions": instructions, "answer_sizes": sizes}, handle_, indent=2)


def report_asides(cases, instr):
    """The view ratios in instructions once the workbench's aside lookup, the same for every block, is set apart."""
    asides = instr(ASIDES, "view")
    if not asides:
        return
    floor = instr(FLOOR, "view")
    print(f"\nOf every view, {asides / 1e6:.2f} Mi is the workbench's aside lookup (html_demo: {floor / 1e6:.2f} Mi "
          "in all); the LMS does not make it unless XBlockAsidesConfig is enabled. Without it, in instructions:")
    for case in cases:
        if case.baseline:
            own, peer = instr(case.name, "view") - asides, instr(case.baseline, "view") - asides
            print(f"  {case.name:20} {own / 1e6:>6.2f} Mi: {ratio(own, peer)} {case.baseline} "
                  f"({peer / 1e6:.2f} Mi), {ratio(own, floor - asides)} html_demo ({(floor - asides) / 1e6:.2f} Mi)")


def report_room(cases, instr):
    """
    What the runtime charges around each view of ours (its student_view answering a constant
    paragraph), what the view itself adds, and what x0.50 of its peer leaves for that.
    """
    if not instr(cases[-1].name, RUNTIME_SHARE):
        return
    print("\nAround each view of ours, what the runtime charges (its student_view answering a constant paragraph), "
          "what the view itself adds, and what x0.50 its peer leaves for it:")
    for case in cases:
        share = instr(case.name, RUNTIME_SHARE)
        if share:
            room = instr(case.baseline, "view") / 2 - share
            print(f"  {case.name:20} runtime {share / 1e6:>6.2f} Mi, the view itself "
                  f"{(instr(case.name, 'view') - share) / 1e6:>5.2f} Mi, room under x0.50 {case.baseline}: "
                  f"{room / 1e6:>5.2f} Mi")


def main():
    if len(sys.argv) > 2 and sys.argv[1] == "--callgrind-child":
        callgrind_child(sys.argv[2])
        return
    cases = load_cases()
    times = measure_times(cases)
    sizes = answer_sizes(cases)
    instructions = measure_instructions()
    report(cases, times, instructions, sizes)


if __name__ == "__main__":
    main()
