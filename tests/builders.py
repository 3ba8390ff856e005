"""
Builders and data shared by tests of more than one file (a test file never imports another).

``harness.py`` runs blocks and servers and talks to them; this module says what to build: OLX,
courses of linked blocks, payloads, the workbench demo unit's ids, the shipped catalogs.
"""
import ast
import gettext
import json
from datetime import date, datetime, timedelta, timezone
from importlib.metadata import entry_points
from pathlib import Path

from django.core.management import call_command
from xblock.fields import Scope

from scripts import translations
from tests.harness import call, ok


# --- choice board -----------------------------------------------------------------------------------

BOARD_TILES = [
    {"id": "video", "title": "Watch <the> video", "format": "video", "minutes": 10, "points": 10,
     "skills": ["fractions"], "tier": "may", "link": "https://example.org/v?a=1&b=2"},
    {"id": "read", "title": "Read", "format": "reading", "points": 20, "skills": ["reasoning"], "tier": "must"},
    {"id": "game", "title": "Game", "format": "practice", "points": 10, "skills": ["fractions"], "tier": "may"},
    {"id": "essay", "title": "Essay", "format": "project", "points": 30, "skills": [], "tier": "may"},
]


def board_xml(tiles=BOARD_TILES, **attributes):
    defaults = {"display_name": "Pick &lt;two&gt;", "rule": "k_of_n", "choose_count": "2"}
    defaults.update({key: str(value) for key, value in attributes.items()})
    attrs = " ".join(f'{key}="{value}"' for key, value in defaults.items())
    tiles_json = json.dumps(tiles).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f"<personalized_choice_board {attrs} tiles='{tiles_json}'/>"


RATED_SELF_ASSESSMENT = """<personalized_self_assessment
  statements='[{"id": "compare", "text": "I can compare fractions", "skill": "fractions"},
               {"id": "explain", "text": "I can explain my reasoning", "skill": "reasoning"}]'
  scale='[{"label": "Not yet"}, {"label": "With help"}, {"label": "On my own"}, {"label": "Could teach"}]'/>"""


# --- skill check sessions ---------------------------------------------------------------------------

def question(question_id, skill, difficulty):
    return {"id": question_id, "prompt": f"Question {question_id}?", "kind": "single", "skill": skill,
            "difficulty": difficulty, "discrimination": 1.5,
            "choices": [{"id": "yes", "text": "Yes", "feedback": f"FB-{question_id}-yes"},
                        {"id": "no", "text": "No", "feedback": f"FB-{question_id}-no"}],
            "correct": ["yes"]}


HARD_POOL = [question(f"h{index}", "fractions", difficulty)
             for index, difficulty in enumerate((-1, -0.5, 0, 0.5, 1, 1, 1.5, 1.5, 2, 2, 2.5, 3))]
TWO_SKILLS = [question(f"a{index}", "adding", value) for index, value in enumerate((-0.5, 0, 0.5, 1))] + \
             [question(f"m{index}", "multiplying", value) for index, value in enumerate((-0.5, 0, 0.5, 1))]


def session_markup(data):
    """The markup a handler answered with: the parts an answer changes, the result and the session."""
    assert sorted(data["parts"]) == ["session", "summary"] and "html" not in data
    return "".join(data["parts"].values())


def current_question(html):
    marker = 'data-question="'
    return html.split(marker, 1)[1].split('"', 1)[0] if marker in html else None


def take(env, usage, learner, answer_for):
    """Start and answer until the session ends; return the questions asked in order."""
    status, data = call(env.block(usage, learner), "start_session", {})
    assert status == 200, data
    asked = []
    while current_question(session_markup(data)):
        assert data["unfinished"] is True  # blocks that read this check wait for the end to re-check
        asked.append(current_question(session_markup(data)))
        status, data = call(env.block(usage, learner), "answer",
                            {"question": asked[-1], "answer": [answer_for(asked[-1])]})
        assert status == 200, data
    assert data["unfinished"] is False
    return asked, data


# --- mastery gate -----------------------------------------------------------------------------------

def gate_xml(children="", **attrs):
    rendered = " ".join(f"{name}='{value if isinstance(value, str) else json.dumps(value)}'"
                        for name, value in attrs.items())
    return f"<personalized_mastery_gate {rendered}>{children}</personalized_mastery_gate>"


def gate_problems(env, gate, **changes):
    block = env.block(gate, "staff_1", staff=True)
    for name, value in changes.items():
        setattr(block, name, value)
    return [message.text for message in block.validate().messages]


# --- one of each block, stored values, handler payloads ---------------------------------------------

# A value of every JSON type, plus right-typed values with garbled insides.
GARBLED = [None, True, 0, -7, 1e308, "text", "", [], [1, "x", None, [], {}], {}, {"x": [1], "version": 99},
           {"version": 1, "history": "x", "goals": 3, "chosen": {"a": 1}, "counts": [1], "learners": "many"}]
DATA_SCOPES = (Scope.content, Scope.settings, Scope.user_state, Scope.user_state_summary)


def course_of_every_block(env):
    """One of each block, linked together, with a learner who has used all of them."""
    assessment = env.load('<personalized_self_assessment show_class_comparison="true"/>')
    check = env.load('<personalized_skill_check max_attempts="0"/>')
    board = env.load(f'<personalized_choice_board show_stats_to_learners="true" self_assessment="{assessment}"/>')
    goals_xml = (f'<personalized_goal_reflection self_assessment="{assessment}" skill_check="{check}" '
                 'graded="true"/>')
    goals = env.load(goals_xml)
    routes = [{"id": "low", "label": "Review", "min": 0, "max": 50}, {"id": "high", "label": "More", "min": 50,
                                                                      "max": 100}]
    gate = env.load(
        f"""<personalized_mastery_gate mode="any" threshold="0" sources='["{check}"]' skill_checks='["{check}"]'
              skills='[{{"skill": "number-sense", "threshold": 10}}]' routes='{json.dumps(routes)}'
              self_assessment="{assessment}" self_assessment_skill="understanding" choice_board="{board}"
              goal_reflection="{goals}">
              <html_demo><p>Everyone</p></html_demo><html_demo><p>Low route</p></html_demo>
              <personalized_self_assessment/>
            </personalized_mastery_gate>""")
    block = env.block(gate, "staff", staff=True)
    block.child_routes = {block.child_key(block.children[1]): "low"}
    block.save()
    learner = "student_1"
    assert call(env.block(assessment, learner), "submit", RATINGS)[0] == 200
    assert call(env.block(check, learner), "submit", ANSWERS)[0] == 200
    assert call(env.block(board, learner), "choose", {"tiles": ["read-chapter", "watch-talk"]})[0] == 200
    assert call(env.block(goals, learner), "save_goals", goals_payload())[0] == 200
    return {"self_assessment": assessment, "skill_check": check, "choice_board": board,
            "goal_reflection": goals, "mastery_gate": gate}


RATINGS = {"ratings": {"explain-idea": 2, "apply-idea": 1}, "evidence": {"explain-idea": "An example"}}
ANSWERS = {"answers": {"q1": ["b"], "q2": ["a", "c"]}}


def goals_payload(revision=0):
    target = (date.today() + timedelta(days=60)).isoformat()
    return {"revision": revision, "goals": {
        "long": {"text": "Add any two fractions well", "smart": ["S"], "target_date": target},
        "short-1": {"text": "Practise ten sums a day", "smart": [], "target_date": target}}}


# A plausible request for every state-changing handler of every block.
PAYLOADS = {
    "submit": lambda name: RATINGS if name == "self_assessment" else ANSWERS,
    "choose": lambda name: {"tiles": ["read-chapter", "discuss"]},
    "commit": lambda name: {},
    "mark_done": lambda name: {"tile": "read-chapter", "note": "Notes taken", "link": ""},
    "save_goals": lambda name: goals_payload(1),
    "check_in": lambda name: {"revision": 1, "progress": {"long": 2, "short-1": 1}, "helped": "Time blocks",
                              "obstacles": "Work", "next_step": "Ask a friend"},
    "refresh": lambda name: {},
    "check_again": lambda name: {},
    "start_session": lambda name: {},
    "answer": lambda name: {"question": "q1", "choices": ["b"]},
    "preview": lambda name: {"values": {}},  # staff only: a learner gets 403
    "learner_answers": lambda name: {"username": "someone"},  # staff only: a learner gets 403
    "recount_class": lambda name: {},  # staff only: a learner gets 403
    "propose_groups": lambda name: {"kind": "mixed", "size": 2},  # staff only: a learner gets 403
    "saved_groups": lambda name: {},  # staff only: a learner gets 403
    "save_groups": lambda name: {"kind": "mixed", "groups": [{"name": "A", "members": []}], "revision": 0},
    "publish_groups": lambda name: {"publish": True},
    "create_teams": lambda name: {"team_set": "projects"},
    "editor_catalog": lambda name: {},
    "submit_studio_edits": lambda name: {"values": {}},
}


def json_handlers(block):
    """The names of a block's (or block class's) POST-only JSON handlers."""
    cls = block if isinstance(block, type) else type(block)
    return sorted(name for name in dir(cls) if getattr(getattr(cls, name), "json_api", False))


def attempt_into(problems, what, action):
    """Run ``action``; add to ``problems`` what it raised, or the status it returned when 500 or more."""
    try:
        outcome = action()
    except Exception as error:  # pylint: disable=broad-except
        problems.append(f"{what}: {type(error).__name__}: {error}")
        return
    if isinstance(outcome, int) and outcome >= 500:
        problems.append(f"{what}: status {outcome}")


def does_not_fit(field, value):
    try:
        return not field.fits(field.from_json(value))
    except (TypeError, ValueError, OverflowError):
        return True


# --- a unit with a learning plan --------------------------------------------------------------------

PLAN_STATEMENTS = json.dumps([{"id": "s1", "text": "I can add fractions", "skill": "fractions"},
                              {"id": "s2", "text": "I can explain halves", "skill": "reasoning"}])
PLAN_QUESTIONS = json.dumps([
    {"id": "half", "prompt": "Which is one half?", "kind": "single", "skill": "fractions",
     "choices": [{"id": "a", "text": "2/4"}, {"id": "b", "text": "1/3"}], "correct": ["a"]},
    {"id": "why", "prompt": "Which equals 1/2?", "kind": "single", "skill": "reasoning",
     "choices": [{"id": "x", "text": "3/6"}, {"id": "y", "text": "2/3"}], "correct": ["x"]}])
PLAN_TILES = json.dumps([{"id": "one", "title": "Strips video", "format": "video", "points": 5, "tier": "may"},
                         {"id": "two", "title": "Recipe", "format": "project", "points": 5, "tier": "may",
                          "topics": ["cooking"]}])
PLAN_ROUTES = json.dumps([{"id": "practice", "label": "Practice", "min": 0, "max": 90},
                          {"id": "stretch", "label": "Stretch", "min": 90, "max": 100}])


def plan_unit_xml(check):
    """
    The class view's unit in the workbench (``parse_xml_string``), of the summary's HTTP tests and the
    plan's benchmark: a self-assessment, a skill check, a gate reading the check (its usage id ``check``,
    two routes), a choice board, goals and a learning plan.
    """
    return ("<vertical_demo>"
            f"<personalized_self_assessment statements='{PLAN_STATEMENTS}'/>"
            f"<personalized_skill_check attempts_allowed='0' questions='{PLAN_QUESTIONS}'/>"
            f"<personalized_mastery_gate display_name='Lesson' sources='[\"{check}\"]' threshold='100' "
            f"skill_checks='[\"{check}\"]' skills='[{{\"skill\": \"fractions\", \"threshold\": 60}}]' "
            f"routes='{PLAN_ROUTES}'><html_demo><p>open</p></html_demo></personalized_mastery_gate>"
            f"<personalized_choice_board rule='k_of_n' choose_count='1' tiles='{PLAN_TILES}'/>"
            "<personalized_goal_reflection/><personalized_learning_plan/></vertical_demo>")


class PlanCourse:
    """A unit with one of each block and a learning plan at the end, found by the plan's own walk."""

    def __init__(self, env):
        self.env = env
        root = env.load(
            "<vertical_demo>"
            f"<personalized_self_assessment display_name='Ratings' statements='{PLAN_STATEMENTS}'/>"
            f"<personalized_skill_check display_name='Check' max_attempts='0' questions='{PLAN_QUESTIONS}'/>"
            f"<personalized_mastery_gate display_name='Lesson' threshold='100' routes='{PLAN_ROUTES}'>"
            "<html_demo><p>OPEN-CONTENT</p></html_demo></personalized_mastery_gate>"
            "<personalized_choice_board display_name='Practice board' rule='k_of_n' choose_count='1' "
            f"tiles='{PLAN_TILES}'/>"
            "<personalized_goal_reflection display_name='Goals'/>"
            "<personalized_learning_plan display_name='Plan'/>"
            "</vertical_demo>")
        (self.assessment, self.check, self.gate, self.board, self.goals,
         self.plan) = env.block(root).children
        gate = env.block(self.gate)
        gate.sources = [self.check]
        gate.skill_checks = [self.check]
        gate.skills = [{"skill": "fractions", "threshold": 60}]
        # The estimator these tests were written for, with its settings saved before the minimum of
        # evidence existed: they keep their meaning (one or two answers decide).
        gate.estimator, gate.estimator_params = "decaying_average", {"weight": 0.65}
        gate.save()
        board = env.block(self.board)
        board.learning_plan = self.plan
        board.save()

    def block(self, name, user="student_1", staff=False):
        return self.env.block(getattr(self, name), user, staff)

    def render(self, name, user="student_1", staff=False):
        block = self.block(name, user, staff)
        return block.runtime.render(block, "student_view").content

    def learner_path(self, user, rating, answers, choose=True):
        """A learner rates themselves, answers the check, and opens the gate (which records reaching it)."""
        ok(self.block("assessment", user), "submit", {"ratings": {"s1": rating, "s2": rating}})
        for answer in answers:
            ok(self.block("check", user), "submit", {"answers": {"half": [answer], "why": ["x"]}})
        self.render("gate", user)
        if choose:
            ok(self.block("board", user), "choose", {"tiles": ["one"]})


# --- the workbench demo unit ------------------------------------------------------------------------

DEMO_UNIT = "a-personalized-unit"
DEMO_SELF_ASSESSMENT = f"{DEMO_UNIT}.personalized_self_assessment.d0.u0"
DEMO_BOARD = f"{DEMO_UNIT}.personalized_choice_board.d0.u0"
DEMO_GOALS = f"{DEMO_UNIT}.personalized_goal_reflection.d0.u0"
DEMO_CHECK = f"{DEMO_UNIT}.personalized_skill_check.d0.u0"
DEMO_GATE = f"{DEMO_UNIT}.personalized_mastery_gate.d0.u0"
DEMO_PLAN = f"{DEMO_UNIT}.personalized_learning_plan.d0.u0"
# Lines through the centre of the demo board (tic-tac-toe, centre required).
DEMO_LINES = [["recipe-project", "explain-to-peer", "fraction-game"],
              ["number-line", "explain-to-peer", "compare-quiz"],
              ["fraction-strips", "explain-to-peer", "journal"],
              ["story-problems", "explain-to-peer", "worked-examples"]]
DEMO_STATEMENTS = ["compare-fractions", "add-fractions", "explain-equivalence"]
DEMO_TARGET = (datetime.now(timezone.utc).date() + timedelta(days=60)).isoformat()


def demo_goals(text):
    """Long and short goals with ``text`` in them, due in 60 days: a ``save_goals`` payload's goals."""
    return {"long": {"text": f"Long goal {text}", "smart": ["S"], "target_date": DEMO_TARGET},
            "short-1": {"text": f"Short goal {text}", "smart": [], "target_date": DEMO_TARGET}}


# --- catalogs ---------------------------------------------------------------------------------------

def po_msgids(path):
    """
    The message ids of a .po file (the English catalog has no translations, so its .mo is empty),
    each as a compiled catalog keys it: ``context\x04id`` for a message with a context.
    """
    ids, context, current, reading = set(), "", [], None
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.startswith(("msgctxt ", "msgid ")):
                if reading == "msgctxt":
                    context = "".join(current)
                keyword, text = line.split(" ", 1)
                current, reading = [ast.literal_eval(text)], keyword
            elif line.startswith('"') and reading:
                current.append(ast.literal_eval(line))
            elif reading == "msgctxt":
                context, reading = "".join(current), None
            elif reading == "msgid":
                ids.add(context + "\x04" + "".join(current) if context else "".join(current))
                context, reading = "", None
    return ids - {""}


def catalog(lang):
    with open(translations.CATALOG.format(lang=lang, ext="mo"), "rb") as handle:
        return gettext.GNUTranslations(handle)._catalog  # pylint: disable=protected-access


def msgids(lang):
    return po_msgids(translations.CATALOG.format(lang=lang, ext="po"))


def block_classes():
    return {entry.name: entry.load() for entry in entry_points(group="xblock.v1")
            if entry.name.startswith("personalized_")}


# Issue 29: the repo's small competency framework and the unit the tagging tests pick its skills in.
FRAMEWORK = Path(__file__).resolve().parent / "fixtures" / "fractions_framework.json"
ADD, COMPARE = "3-nf-1", "3-nf-3"


def framework_question(question_id, skill):
    return {"id": question_id, "prompt": f"{question_id}?", "kind": "single", "skill": skill,
            "choices": [{"id": "right", "text": "Right"}, {"id": "wrong", "text": "Wrong"}], "correct": ["right"]}


# Six questions per skill: one attempt gives the default estimator its minimum of evidence.
QUESTIONS = [framework_question(f"{name}{number}", skill) for name, skill in (("add", ADD), ("compare", COMPARE))
             for number in range(6)]


def framework_answers(add, compare):
    return {"answers": {item["id"]: [add if item["skill"] == ADD else compare] for item in QUESTIONS}}


COURSE = """
<vertical_demo>
  <personalized_skill_check display_name="Check" max_attempts="0"
      questions='[{"id": "q", "prompt": "?", "kind": "single", "skill": "placeholder",
                   "choices": [{"id": "a", "text": "A"}], "correct": ["a"]}]'/>
  <personalized_mastery_gate display_name="Gate"><html_demo><p>LESSON</p></html_demo></personalized_mastery_gate>
  <personalized_learning_plan display_name="Plan"/>
</vertical_demo>
"""


def framework_unit(env):
    """The repo's small framework imported by the command, and a unit of a check, a gate and a plan."""
    call_command("import_skill_framework", str(FRAMEWORK), name="Fractions framework")
    check, gate, plan = env.block(env.load(COURSE)).children
    return {"check": check, "gate": gate, "plan": plan}


def author_picks_two_skills(env, unit):
    status, data = call(env.block(unit["check"], "staff", staff=True), "submit_studio_edits", {"values": {
        "questions": QUESTIONS}})
    assert status == 200, data
    status, data = call(env.block(unit["gate"], "staff", staff=True), "submit_studio_edits", {"values": {
        "skill_checks": [unit["check"]], "skills": [{"skill": ADD, "threshold": 80}]}})
    assert status == 200, data
