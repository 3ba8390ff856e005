"""
The LMS tier's standard course: all five blocks (two skill checks) spread over four units in two chapters, every
reference field set (each link crossing units), and the platform's inheritable settings set on the
parents the way course teams set them (course-wide Maximum Attempts, graded subsections with due
dates, group_access on a unit). Tests use it through the ``lms_course`` fixture.
"""
import json
from datetime import datetime, timedelta, timezone

from tests.lms_standin.standin import COURSE, StandInCourse

STATEMENTS = [{"id": "fractions", "text": "I can add fractions", "skill": "fractions"}]
QUESTIONS = [{"id": "half", "prompt": "Which is one half?", "kind": "single", "skill": "fractions",
              "choices": [{"id": "a", "text": "2/4"}, {"id": "b", "text": "1/3"}], "correct": ["a"]}]
TILES = [{"id": "read", "title": "Read the chapter", "format": "reading", "points": 5, "skills": ["fractions"],
          "tier": "may"},
         {"id": "watch", "title": "Watch the talk", "format": "video", "points": 5, "skills": [], "tier": "may",
          "topics": ["music"]}]
LOCKED = "LOCKED-CONTENT-4c1e"
TODAY = datetime.now(timezone.utc).date()
# Where each block sits: unit 1 holds the sources, every block linking to them is in another unit.
PLACES = {"assessment": "unit1", "check": "unit1", "board": "unit2", "recheck": "unit2", "goals": "unit3",
          "gate": "unit4", "plan": "unit5"}


def attrs(**values):
    return " ".join(f"{name}='{value if isinstance(value, str) else json.dumps(value)}'"
                    for name, value in values.items())


def course_olx(course, platform_settings=True):
    """
    The course's OLX; references are written as usage key text, as Studio stores them. Without
    ``platform_settings`` the parents set none of the platform's inheritable settings.
    """
    key = {name: str(course.key(f"personalized_{kind}", name)) for name, kind in (
        ("assessment", "self_assessment"), ("check", "skill_check"), ("board", "choice_board"),
        ("goals", "goal_reflection"), ("gate", "mastery_gate"))}
    assessment = attrs(url_name="assessment", display_name="Fractions profile", statements=STATEMENTS,
                       scale=[{"label": "Not yet"}, {"label": "With help"}, {"label": "On my own"}])
    check = attrs(url_name="check", display_name="Fractions check", questions=QUESTIONS)
    recheck = attrs(url_name="recheck", display_name="Fractions re-check", check_mode="recheck", question_budget=1,
                    questions=QUESTIONS, recheck_sources=[str(course.key("personalized_skill_check", "check"))])
    board = attrs(url_name="board", rule="k_of_n", choose_count=1, tiles=TILES, self_assessment=key["assessment"],
                  learning_plan=str(course.key("personalized_learning_plan", "plan")), placement_checks=[key["check"]])
    # The plan finds the course's blocks itself; the author's list here names them all, in course order.
    plan = attrs(url_name="plan", display_name="Your plan",
                 sources=[key["assessment"], key["check"], key["board"], key["goals"], key["gate"]])
    goals = attrs(url_name="goals", self_assessment=key["assessment"], skill_check=key["check"],
                  mastery_gate=key["gate"], checkin_count=2, weight=1.0)
    gate = attrs(url_name="gate", display_name="Fractions lesson", mode="all", sources=[key["check"]],
                 skill_checks=[key["check"]], skills=[{"skill": "fractions", "threshold": 50}], estimator="latest",
                 estimator_params={"min_right": 0},  # one answer decides, as the author chose (issue 21)
                 self_assessment=key["assessment"], self_assessment_skill="fractions", self_assessment_level=2,
                 choice_board=key["board"], goal_reflection=key["goals"],
                 refresh_check=str(course.key("personalized_skill_check", "recheck")))
    due = (TODAY + timedelta(days=14)).isoformat()
    course_settings, lesson_settings, unit_settings = (
        ('max_attempts="1" showanswer="never" show_correctness="past_due" rerandomize="always" '
         'days_early_for_beta="2" start="2026-01-01T00:00:00Z" show_reset_button="true"',
         f'graded="true" due="{due}T00:00:00Z" visible_to_staff_only="false" hide_from_toc="false"',
         'group_access=\'{"50": [1, 2]}\'') if platform_settings else ("", "", ""))
    return f"""
<course url_name="{course.course_key.run}" display_name="Fractions" {course_settings}>
  <chapter url_name="week1" display_name="Week 1">
    <sequential url_name="lesson1" display_name="Lesson 1" {lesson_settings}>
      <vertical url_name="unit1" display_name="Unit 1" {unit_settings}>
        <personalized_self_assessment {assessment}/>
        <personalized_skill_check {check}/>
      </vertical>
      <vertical url_name="unit2" display_name="Unit 2">
        <personalized_choice_board {board}/>
        <personalized_skill_check {recheck}/>
      </vertical>
    </sequential>
  </chapter>
  <chapter url_name="week2" display_name="Week 2">
    <sequential url_name="lesson2" display_name="Lesson 2" {lesson_settings}>
      <vertical url_name="unit3" display_name="Unit 3" {unit_settings}>
        <personalized_goal_reflection {goals}/>
      </vertical>
      <vertical url_name="unit4" display_name="Unit 4">
        <personalized_mastery_gate {gate}><html_demo><p>{LOCKED}</p></html_demo></personalized_mastery_gate>
      </vertical>
      <vertical url_name="unit5" display_name="Unit 5">
        <personalized_learning_plan {plan}/>
      </vertical>
    </sequential>
  </chapter>
</course>"""


class StandardCourse(StandInCourse):
    """The standard course, with its blocks and units by name."""

    KINDS = {"assessment": "personalized_self_assessment", "check": "personalized_skill_check",
             "recheck": "personalized_skill_check",
             "board": "personalized_choice_board", "goals": "personalized_goal_reflection",
             "gate": "personalized_mastery_gate", "plan": "personalized_learning_plan"}

    def __init__(self, course_key=COURSE, empty=False, platform_settings=True):
        super().__init__(course_key)
        if not empty:
            self.load(course_olx(self, platform_settings))

    def at(self, name):
        """A named block (assessment, check, board, goals, gate) or unit (unit1..unit4) of this course."""
        return self.key(self.KINDS.get(name, "vertical"), name)

    def unit_of(self, name):
        return self.at(PLACES[name])

    # --- what a learner does, each as its own request -----------------------------------------

    def ok(self, name, handler, payload, user="learner"):
        status, data = self.call(self.at(name), handler, payload, user=user)
        assert status == 200, data
        return data

    def rate(self, level, user="learner"):
        return self.ok("assessment", "submit", {"ratings": {"fractions": level}}, user)

    def answer(self, choice, user="learner"):
        return self.ok("check", "submit", {"answers": {"half": [choice]}}, user)

    def finish_board(self, user="learner"):
        self.ok("board", "choose", {"tiles": ["watch"]}, user)
        self.ok("board", "commit", {}, user)
        return self.ok("board", "mark_done", {"tile": "watch", "note": "watched it"}, user)

    def set_goals(self, user="learner", revision=0):
        target = (TODAY + timedelta(days=30)).isoformat()
        return self.ok("goals", "save_goals", {"revision": revision, "goals": {
            "long": {"text": "Add any two fractions", "smart": ["S"], "target_date": target},
            "short-1": {"text": "Practise ten sums", "smart": [], "target_date": target}}}, user)

    def check_in(self, revision, user="learner"):
        return self.ok("goals", "check_in", {
            "revision": revision, "progress": {"long": 1, "short-1": 2}, "helped": "The worked examples",
            "obstacles": "Too little time", "next_step": "Do the practice set"}, user)
