"""
Skill check block: a short server-graded check whose questions are tagged with skills. Its
sessions (one question at a time) are in ``skill_check_sessions``; its Studio editor and staff
preview in ``skill_check_studio``.
"""
from xblock.core import XBlock
from xblock.completable import CompletableXBlockMixin
from xblock.fields import Scope
from xblock.scorable import ScorableXBlockMixin, Score

from .fields import Boolean, Dict, Float, Integer, List, String
from .base import PersonalizedBlockMixin
from .dates import parse_iso
from .handlers import json_api
from .links import Link
from .core import adaptive
from .core import skill_check as core
from .core import N_, percent_text
from .core.payload import PayloadError
from .skill_check_sessions import SkillCheckSessionsMixin, move_calibration
from .skill_check_studio import SkillCheckStudioMixin
from .studio import StudioEditorMixin

_ = N_  # field labels are marked here and translated when Studio shows them

DEFAULT_QUESTIONS = [
    {"id": "q1", "prompt": N_("Which of these is a prime number?"), "kind": "single", "skill": "number-sense",
     "choices": [{"id": "a", "text": "9", "feedback": N_("9 is 3 times 3.")},
                 {"id": "b", "text": "7", "feedback": N_("Yes: 7 has no divisors other than 1 and itself.")},
                 {"id": "c", "text": "15", "feedback": N_("15 is 3 times 5.")}],
     "correct": ["b"]},
    {"id": "q2", "prompt": N_("Which of these numbers are even?"), "kind": "multiple", "skill": "number-sense",
     "choices": [{"id": "a", "text": "4", "feedback": N_("4 is 2 times 2.")},
                 {"id": "b", "text": "5", "feedback": N_("5 leaves a remainder of 1 when divided by 2.")},
                 {"id": "c", "text": "10", "feedback": N_("10 is 2 times 5.")}],
     "correct": ["a", "c"]},
]


class SkillCheckBlock(SkillCheckSessionsMixin, SkillCheckStudioMixin, PersonalizedBlockMixin, StudioEditorMixin,
                      ScorableXBlockMixin, CompletableXBlockMixin, XBlock):
    """A short check graded on the server; a scorable source of per-skill mastery evidence."""

    asset_name = "skill_check"
    js_init = "PersonalizedSkillCheck"
    user_state_fields = ("learner_state",)
    has_score = True

    display_name = String(display_name=_("Title"), default=N_("Skill check"), scope=Scope.settings,
                          translated_default=True)
    instructions = String(
        display_name=_("Instructions"), multiline_editor=True, scope=Scope.content, translated_default=True,
        default=N_("Answer every question, then submit. You will see which answers were right and can try again "
                   "while you have attempts left."),
    )
    questions = List(
        display_name=_("Questions"), scope=Scope.content, default=DEFAULT_QUESTIONS, translated_default=True,
        help=_("Each question with the skill it checks, its choices, the feedback for each choice and "
               "which choices are right. Learners' answers are stored under the ids, so keep them once "
               "learners have answered."),
    )
    # Not max_attempts: the platform passes the course's "Maximum Attempts" down under that name.
    attempts_allowed = Integer(
        display_name=_("Attempts allowed"), default=3, scope=Scope.settings, values={"min": 0, "step": 1},
        help=_("0 means unlimited. The course-wide Maximum Attempts setting does not change it."),
    )
    shuffle = Boolean(
        display_name=_("Shuffle questions and choices"), default=False, scope=Scope.settings,
        help=_("Each learner sees their own order, the same every time they come back."),
    )
    weight = Float(
        display_name=_("Problem weight"), default=1.0, scope=Scope.settings, values={"min": 0, "step": 0.1},
        help=_("How many points the check is worth in the course grade; 0 means not graded."),
    )

    learner_state = Dict(scope=Scope.user_state, help="Graded attempts and score (versioned shape).")
    question_counts = Dict(scope=Scope.user_state_summary,
                           help="Anonymous counts per question: learners who answered it, and rightly, last time.")

    renamed_fields = {"max_attempts": "attempts_allowed"}
    links = {"recheck_sources": Link("skill_check", reads="skill_evidence")}

    # --- reading state and settings ------------------------------------------------------------

    state_shape = core.STATE_SHAPE

    def state(self):
        return self.read_state(core.STATE_SHAPE, self.learner_state)

    def state_to_read(self):
        """The state for reading only: gates and other blocks read it many times in one request."""
        return self.shared_state(core.STATE_SHAPE, "learner_state")

    def config_problems(self):
        return core.validate_questions(self.questions)

    def usable_questions(self):
        """The author's questions, or none when they are not valid (the view then says so)."""
        questions = self.questions
        checked = getattr(self, "_checked_questions", None)
        if checked is None or checked[0] is not questions:  # validated once per value, not once per use
            checked = (questions, [] if self.config_problems() else questions)
            self._checked_questions = checked  # pylint: disable=attribute-defined-outside-init
        return checked[1]

    def seed(self):
        return f"{self.scope_ids.user_id}:{self.scope_ids.usage_id}"

    # --- views -------------------------------------------------------------------------------

    @XBlock.supports("multi_device")  # checked at 375 px in the browser tests, data in student_view_data
    def student_view(self, context=None):  # pylint: disable=unused-argument
        html = self.render_template(self.view_context(self.state()))
        return self.build_fragment(html, {"messages": self.js_messages(
            answer_all=N_("Answer every question before you submit."),
            answer_one=N_("Choose an answer before you go on."),
            started=N_("The check has started: here is your first question."),
            answered=N_("Your answer is graded."),
            submitted=N_("Your answers are graded."),
        )})

    def view_context(self, state):
        context = self.fixed_context(state)
        if self.in_session_mode:
            context.update(self.session_context(state), show_form=False)
            context["show_start"] = bool(context["items"]) and not context["in_session"] \
                and context["attempts_left"] != 0 and not context["recheck_opens"] \
                and not context["nothing_to_recheck"]
        return context

    def fixed_context(self, state):
        questions = self.usable_questions()
        newest = core.latest(state)
        left = core.attempts_left(state, self.setting("attempts_allowed"))
        score = state.get("score")
        all_correct = core.all_correct(state)
        results = {result["question"]: result["correct"] for result in newest["results"]} if newest else {}
        answers = newest["answers"] if newest else {}
        items = []
        for question in core.ordered_questions(questions, self.shuffle, self.seed()):
            chosen = answers.get(question["id"], [])
            items.append({
                "question": question,
                "multiple": question.get("kind", "single") == "multiple",
                "chosen": chosen,
                "result": results.get(question["id"]),
                # feedback only for the choices this learner chose and submitted
                "feedback": [choice for choice in question["choices"]
                             if choice["id"] in chosen and choice.get("feedback")],
            })
        return {
            "title": self.display_name,
            "instructions": self.instructions,
            "broken": not questions,
            "session_mode": None,  # set by session_context in the one-question-at-a-time modes
            "items": items,
            "submitted": newest is not None,
            "submitted_at": parse_iso(newest["at"]) if newest else None,
            "earned": int(score["earned"]) if score else 0,
            "possible": int(score["possible"]) if score else len(questions),
            "percent": percent_text(core.percent(state)),
            "all_correct": all_correct,
            "attempts_left": left,
            "attempts_used": state["used"],
            "out_of_attempts": left == 0,
            "show_form": bool(questions) and left != 0 and not all_correct,
            "skills": sorted(core.skill_results(state).items()),
            # Sessions: the words say how many questions were asked and right, and what the score is.
            "session_result": newest.get("mode") if newest and newest.get("mode") in core.SESSION_MODES else None,
            "asked": len(newest["results"]) if newest else 0,
            "right": sum(1 for result in newest["results"] if result["correct"]) if newest else 0,
        }

    def student_view_data(self, context=None):  # pylint: disable=unused-argument
        """Configuration without answers or feedback, identical for every user."""
        return {
            "title": self.display_name,
            "instructions": self.instructions,
            "questions": core.public_questions(self.usable_questions()),
            "attempts_allowed": self.setting("attempts_allowed"),
            "shuffle": self.shuffle,
            "weight": self.weight,
        }

    # --- handlers ----------------------------------------------------------------------------

    def check_can_attempt(self, state):
        """``state`` when the learner may start an attempt; PayloadError saying why not otherwise."""
        if not self.usable_questions():
            raise PayloadError("questions", N_("This check is not set up yet; tell the course team."))
        if core.attempts_left(state, self.setting("attempts_allowed")) == 0:
            raise PayloadError("attempts", N_("You have used all your attempts."))
        if self.check_mode == "fixed" and core.all_correct(state):
            raise PayloadError("attempts", N_("You have already answered every question correctly."))
        return state

    @json_api
    def submit(self, data, suffix=""):  # pylint: disable=unused-argument
        """Grade a full set of answers; answer with the new view (feedback for the chosen answers)."""
        if self.in_session_mode:
            raise PayloadError("mode", N_("This check asks one question at a time."))
        state = self.check_can_attempt(self.state())
        questions = self.usable_questions()
        answers = core.parse_submission(data, questions)
        new_state = core.record_attempt(state, answers, questions, self.now_text())
        self.learner_state = new_state
        self.record_finished_attempt(state, new_state)
        return self.answer_payload(new_state)

    def class_count_rules(self):
        """
        For the recount: the per-question counts from each learner's latest attempt, and the
        difficulty calibration from each learner's recorded first answers.
        """
        questions = self.usable_questions()

        def latest_results(stored):
            newest = core.latest(self.read_state(core.STATE_SHAPE, stored.get("learner_state")))
            return core.results_by_question(newest) if newest else None
        return {"question_counts": (latest_results, lambda summary, old, new: summary if new is None
                                    else core.update_question_counts(summary, questions, old, new)),
                "class_calibration": (lambda stored: stored.get("calibration_answers"), move_calibration)}

    def record_finished_attempt(self, state, new_state):
        """Event, completion (first time) and grade for the attempt that ``new_state`` has just kept."""
        newest = core.latest(new_state)
        previous = core.latest(state)
        self.question_counts = core.update_question_counts(
            self.question_counts, self.usable_questions(),
            core.results_by_question(previous) if previous else None, core.results_by_question(newest))
        self.publish("submitted", {
            "attempt": new_state["used"], "answers": newest["answers"], "mode": newest.get("mode", "fixed"),
            "correct": [result["question"] for result in newest["results"] if result["correct"]],
            "earned": newest["earned"], "possible": newest["possible"],
            "skills": core.skill_results(new_state),
        })
        if not state["attempts"]:
            self.emit_completion(1.0)
        self._publish_grade(Score(newest["earned"], newest["possible"]))

    def answer_payload(self, state):
        """
        What every learner handler answers: the parts an attempt changes (the result, and the
        questions or the session), not the title and instructions, and the numbers a script needs.
        """
        parts = self.render_parts(self.view_context(state), "summary",
                                  "session" if self.in_session_mode else "questions")
        # "unfinished": a session under way; blocks that read this check wait for its end to re-check.
        return {"parts": parts, "percent": core.percent(state),
                "attempts_left": core.attempts_left(state, self.setting("attempts_allowed")),
                "unfinished": state["session"] is not None}

    # --- course staff: class summary, one learner's answers -----------------------------------

    def class_summary(self):
        counts = core.question_summary(self.question_counts, self.usable_questions())
        rows = [{"label": row["question"]["prompt"],
                 "cells": [row["answered"], row["correct"],
                           f"{percent_text(row['percent'])}%" if row["percent"] is not None else "—"]}
                for row in counts["rows"]]
        return {"learners": counts["learners"], "row_heading": self._("Question"), "rows": rows,
                "columns": [self._("Answered by"), self._("Right in their latest attempt"), self._("Share right")]}

    def lookup_rows(self, state):
        newest = core.latest(state)
        if newest is None:
            return []
        by_id = {question["id"]: question for question in self.questions if isinstance(question, dict)}
        rows = [{"label": self._("Attempts used"), "value": str(state["used"])},
                {"label": self._("Latest attempt"), "value": self.time_text(newest["at"])},
                {"label": self._("Score"), "value": self._("%(earned)s of %(possible)s (%(percent)s%%)") % {
                    "earned": f"{newest['earned']:g}", "possible": f"{newest['possible']:g}",
                    "percent": percent_text(core.percent(state))}}]
        for result in newest["results"]:
            question = by_id.get(result["question"], {"prompt": result["question"], "choices": []})
            texts = {choice["id"]: choice["text"] for choice in question.get("choices", ())}
            chosen = ", ".join(texts.get(choice, choice) for choice in newest["answers"].get(result["question"], []))
            verdict = self._("right") if result["correct"] else self._("not right")
            rows.append({"label": question["prompt"], "value": f"{chosen} ({verdict})"})
        return rows

    # --- for other blocks (read through runtime.get_block in the learner's runtime) -----------

    def skill_attempts(self):
        """``{skill: [1.0/0.0 per question answered, chronological over all attempts]}``."""
        return core.skill_attempts(self.state_to_read())

    def skill_results(self):
        """``{skill: {"correct": int, "total": int}}`` for the latest attempt."""
        return core.skill_results(self.state_to_read())

    def attempts_left(self):
        """Attempts still allowed, or None when unlimited."""
        return core.attempts_left(self.state_to_read(), self.setting("attempts_allowed"))

    def attempts_used(self):
        return self.state_to_read()["used"]

    def percent(self):
        """The latest score as 0..100, or None before any submission."""
        return core.percent(self.state_to_read())

    def skill_ids(self):
        """For the learning plan: the skills the questions are tagged with, in order."""
        return list(dict.fromkeys(question["skill"] for question in self.usable_questions()))

    def summarize_state(self, state):
        """For the learning plan: a learner's stored state (all user-state fields) in plain terms."""
        stored = self.read_state(core.STATE_SHAPE, state.get("learner_state"))
        return {"attempts": core.skill_attempts(stored), "evidence": core.skill_evidence(stored),
                "percent": core.percent(stored), "used": stored["used"],
                "attempts_left": core.attempts_left(stored, self.setting("attempts_allowed"))}

    # --- scoring -------------------------------------------------------------------------------

    def has_submitted_answer(self):
        return self.state_to_read()["used"] > 0

    def get_score(self):
        score = self.state_to_read().get("score")
        if not score:
            return Score(0.0, float(self.max_score()))
        return Score(float(score["earned"]), float(score["possible"]))

    def set_score(self, score):
        state = self.state()
        state["score"] = {"earned": float(score.raw_earned), "possible": float(score.raw_possible)}
        self.learner_state = state

    def calculate_score(self):
        state = core.regrade_latest(self.state(), self.usable_questions())
        score = state.get("score") or {"earned": 0.0, "possible": float(self.max_score())}
        return Score(score["earned"], score["possible"])

    def max_score(self):
        """Fixed and adaptive checks: the number of questions written; placement and re-check: those asked."""
        if self.check_mode == adaptive.PLACEMENT:
            return float(min(adaptive.placement_budget(self.pool(), self.question_budget),
                             len(self.usable_questions())))
        if self.check_mode == adaptive.RECHECK:
            return float(min(self.question_budget, len(self.usable_questions())))
        return float(len(self.usable_questions()))

    def rescore(self, only_if_higher):
        """Grade the latest answers again against the current questions; keep and publish the result."""
        if not self.has_submitted_answer():
            raise ValueError(self._("Cannot rescore a check that has not been submitted."))
        state = self.state()
        old = self.get_score()
        new_state = core.regrade_latest(state, self.usable_questions())
        new = Score(new_state["score"]["earned"], new_state["score"]["possible"])
        improved = (new.raw_earned / new.raw_possible if new.raw_possible else 0) > \
            (old.raw_earned / old.raw_possible if old.raw_possible else 0)
        if not only_if_higher or improved:
            self.learner_state = new_state
        self._publish_grade(new, only_if_higher)

    # --- reports -----------------------------------------------------------------------------

    def generate_report_data(self, user_state_iterator, limit_responses=None):
        """One row per kept attempt: username, attempt, date, score, answers and per-skill results."""
        count = 0
        for user_state in user_state_iterator:
            state = self.read_state(core.STATE_SHAPE, user_state.state.get("learner_state"))
            first_number = state["used"] - len(state["attempts"]) + 1
            for number, attempt in enumerate(state["attempts"], start=first_number):
                if limit_responses is not None and count >= limit_responses:
                    return
                count += 1
                skills = core.skill_results({"attempts": [attempt]})
                yield user_state.username, {
                    "attempt": number,
                    "submitted_at": attempt["at"],
                    "score": f"{attempt['earned']:g}/{attempt['possible']:g}",
                    "answers": "; ".join(f"{key}={','.join(value)}" for key, value in attempt["answers"].items()),
                    "correct": "; ".join(r["question"] for r in attempt["results"] if r["correct"]),
                    "skills": "; ".join(f"{skill}={row['correct']}/{row['total']}" for skill, row in skills.items()),
                    "mode": attempt.get("mode", "fixed"),
                    "placement": "; ".join(
                        f"{skill}={row['percent']:g}%{' mastered' if row['mastered'] else ''}"
                        for skill, row in sorted((state.get("placement") or {}).items()))
                    if attempt.get("mode") == adaptive.PLACEMENT else "",
                }
