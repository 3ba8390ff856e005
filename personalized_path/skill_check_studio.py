"""
The skill check for its authors: the settings Studio edits, their problems, the editor's rows for
questions and their choices, and the staff preview of an attempt.
"""
from .core import N_
from .core import preview
from .core import skill_check as core
from .core.payload import PayloadError
from .studio import column, rows_spec


class SkillCheckStudioMixin:
    """What authors and course staff use of a skill check; it comes before the base and ``StudioEditorMixin``."""

    editable_fields = ("display_name", "instructions", "questions", "attempts_allowed", "shuffle", "weight",
                       "check_mode", "question_budget", "target_precision", "placement_cut",
                       "recheck_interval_days", "recheck_sources", "calibrate_difficulty")

    def studio_problems(self, data):
        problems = core.validate_questions(data.questions)
        allowed = data.attempts_allowed
        if isinstance(allowed, bool) or not isinstance(allowed, int) or not 0 <= allowed <= core.MAX_ATTEMPTS_LIMIT:
            problems.append(PayloadError("attempts_allowed", N_(
                "Expected a whole number from 0 (unlimited) to %(limit)s."), limit=core.MAX_ATTEMPTS_LIMIT))
        if isinstance(data.weight, bool) or not isinstance(data.weight, (int, float)) or data.weight < 0:
            problems.append(PayloadError("weight", N_("The weight cannot be negative.")))
        return (problems + self.session_config_problems(data)
                + self.link_problems(data))

    def editor_specs(self):
        choices = rows_spec(
            [column("text", self._("Choice")), column("correct", self._("This choice is right"), "mark"),
             column("feedback", self._("Feedback when chosen (optional)"), "textarea", optional=True),
             column("id", self._("Id"), "id", prefix="choice")],
            self._("Add a choice"), self._("Choice %(n)s"), marks_into="correct", also=["correct"])
        difficulty = column("difficulty", self._("Difficulty (optional, for adaptive modes)"), "select",
                            optional=True, numbers=True, options=[
                                {"value": "", "label": self._("Not set")}, {"value": "easy", "label": self._("Easy")},
                                {"value": "medium", "label": self._("Medium")},
                                {"value": "hard", "label": self._("Hard")}])
        return {
            "questions": rows_spec(
                [column("prompt", self._("Question"), "textarea"),
                 column("kind", self._("Answers"), "select", options=[
                     {"value": "single", "label": self._("One right answer")},
                     {"value": "multiple", "label": self._("One or more right answers")}]),
                 column("skill", self._("Skill"), "skill"), difficulty,
                 dict(choices, key="choices", label=self._("Choices")),
                 column("id", self._("Id"), "id", prefix="question")],
                self._("Add a question"), self._("Question %(n)s")),
            "recheck_sources": self.skill_checks_spec(),
        }

    skill_lists = (("questions", "skill"),)

    def preview_fields(self):
        if self.in_session_mode:  # one question at a time: no whole-attempt view to preview
            return []
        return [preview.field(f"correct.{question['id']}",
                              self._("Answered right: %(prompt)s") % {"prompt": question["prompt"]}, "yes_no")
                for question in self.usable_questions()]

    def preview_html(self, values):
        """The view after one attempt with the chosen questions right, graded as a learner's would be."""
        questions = self.usable_questions()
        right = {key.split(".", 1)[1] for key, value in values.items() if value}
        answers = core.sample_answers(questions, right)
        state = core.record_attempt(core.STATE_SHAPE.default(), answers, questions, self.now_text())
        return self.render_template(self.view_context(state), id_prefix="preview-")
