"""Self-assessment block: learners rate "I can" statements, add evidence, re-rate and see growth."""
import copy
import logging

from xblock.core import XBlock
from xblock.completable import CompletableXBlockMixin
from xblock.fields import Scope

from .fields import Boolean, Dict, List, String
from .base import CreditWhenDoneMixin, PersonalizedBlockMixin
from .dates import parse_iso
from .handlers import json_api
from .presentation import settings_problems
from .core import self_assessment as core
from .core import N_, count_of
from .core import preview
from .core import privacy
from .core.payload import PayloadError
from .studio import StudioEditorMixin, column, rows_spec

log = logging.getLogger(__name__)
_ = N_  # field labels are marked here and translated when Studio shows them

DEFAULT_STATEMENTS = [
    {"id": "explain-idea", "text": N_("I can explain the main idea in my own words."), "skill": "understanding"},
    {"id": "apply-idea", "text": N_("I can apply the idea to a new problem."), "skill": "application"},
]
DEFAULT_SCALE = [
    {"label": N_("Not yet"), "descriptor": N_("I need help to get started.")},
    {"label": N_("Getting there"), "descriptor": N_("I can do it with some help or examples.")},
    {"label": N_("Confident"), "descriptor": N_("I can do it on my own.")},
    {"label": N_("Could teach it"), "descriptor": N_("I can explain it to someone else.")},
]


class SelfAssessmentBlock(PersonalizedBlockMixin, StudioEditorMixin, CreditWhenDoneMixin,
                          CompletableXBlockMixin, XBlock):
    """"I can" statements rated on an author-defined scale: the learner's own profile."""

    asset_name = "self_assessment"
    js_init = "PersonalizedSelfAssessment"
    user_state_fields = ("learner_state",)

    display_name = String(display_name=_("Title"), default=N_("How confident do you feel?"), scope=Scope.settings,
                          translated_default=True)
    instructions = String(
        display_name=_("Instructions"), multiline_editor=True, scope=Scope.content, translated_default=True,
        default=N_("Rate each statement honestly: your ratings help you choose what to do next. Your course team "
                   "can see your ratings and evidence with your username, and the platform's activity log records "
                   "your ratings. Other learners never see your answers."),
    )
    statements = List(
        display_name=_("Statements"), scope=Scope.content, default=DEFAULT_STATEMENTS, translated_default=True,
        help=_('Each "I can" statement with the skill it is about. Learner ratings are stored under each '
               "statement's id, so keep ids once learners have answered."),
    )
    scale = List(
        display_name=_("Scale"), scope=Scope.content, default=DEFAULT_SCALE, translated_default=True,
        help=_("3 to 5 levels, lowest first, each with a short label and an optional description."),
    )
    allow_unsure = Boolean(display_name=_('Offer "not sure yet"'), default=True, scope=Scope.settings)
    evidence_enabled = Boolean(display_name=_("Ask for evidence"), default=True, scope=Scope.settings)
    evidence_prompt = String(
        display_name=_("Evidence prompt"), scope=Scope.content, translated_default=True,
        default=N_("What shows this? An example, a task you did, or a question you still have (optional)."),
    )
    allow_rerating = Boolean(display_name=_("Allow re-rating"), default=True, scope=Scope.settings)
    show_class_comparison = Boolean(
        display_name=_("Show class comparison"), default=False, scope=Scope.settings,
        help=_("Shown to a learner only after they submit, and only once at least 5 learners have."),
    )

    learner_state = Dict(scope=Scope.user_state, help="Ratings history (versioned shape).")
    class_distribution = Dict(scope=Scope.user_state_summary, help="Anonymous counts per level per statement.")

    editable_fields = ("display_name", "instructions", "statements", "scale", "allow_unsure",
                       "evidence_enabled", "evidence_prompt", "allow_rerating", "show_class_comparison", "weight")

    @property
    def config(self):
        """The author's settings; statements or a scale that are not valid (an import, a hand edit) read as defaults."""
        statements, scale = self.statements, self.scale
        for problem in settings_problems(core.validate_config, statements, scale):
            log.warning("Self-assessment %s: using the default %s: %s", self.scope_ids.usage_id,
                        problem.field, problem)
            if problem.field.startswith("statements"):
                statements = SelfAssessmentBlock.statements.shown(self, copy.deepcopy(DEFAULT_STATEMENTS))
            else:
                scale = SelfAssessmentBlock.scale.shown(self, copy.deepcopy(DEFAULT_SCALE))
        return core.Config(statements=statements, scale=scale,
                           allow_unsure=self.allow_unsure, evidence_enabled=self.evidence_enabled)

    state_shape = core.STATE_SHAPE

    def state(self):
        return self.read_state(core.STATE_SHAPE, self.learner_state)

    def scale_labels(self, config=None):
        """``{stored level: label}``, "not sure yet" included."""
        labels = {index + 1: level["label"] for index, level in enumerate((config or self.config).scale)}
        labels[core.UNSURE] = self._("Not sure yet")
        return labels

    # --- views -------------------------------------------------------------------------------

    @XBlock.supports("multi_device")  # checked at 375 px in the browser tests, data in student_view_data
    def student_view(self, context=None):  # pylint: disable=unused-argument
        html = self.render_template(self.view_context(self.state()))
        return self.build_fragment(html, {"messages": self.js_messages(
            rate_all=N_("Rate every statement before you submit."),
            saved=N_("Your ratings are saved."),
        )})

    def view_context(self, state, id_prefix=""):
        """``id_prefix``: as render_template's, for the radio groups' names and ids (Studio's preview)."""
        config = self.config
        newest = core.latest(state)
        labels = self.scale_labels(config)
        scale = [(index + 1, level["label"], level.get("descriptor", "")) for index, level in enumerate(config.scale)]
        if self.allow_unsure:
            scale.append((core.UNSURE, labels[core.UNSURE], ""))
        statements = []
        uid = self.uid(id_prefix)
        for number, statement in enumerate(config.statements):
            group = f"{uid}-{number}"
            level = newest["ratings"].get(statement["id"]) if newest else None
            statements.append({
                "statement": statement,
                "group": group,
                # Decided here once per choice, not by comparisons in the template's innermost loop.
                "choices": [{"id": f"{group}-{value}", "value": str(value), "label": label, "descriptor": descriptor,
                             "checked": level == value, "unsure": value == core.UNSURE}
                            for value, label, descriptor in scale],
                "level": level,
                "evidence": newest["evidence"].get(statement["id"], "") if newest else "",
            })
        growth = [dict(row, first_at=parse_iso(row["first_at"]), latest_at=parse_iso(row["latest_at"]),
                       first_label=labels.get(row["first_level"]), latest_label=labels.get(row["latest_level"]),
                       change_abs=abs(row["change"] or 0))
                  for row in core.growth(state, config)]
        profile = [dict(row, label=labels.get(row["level"])) for row in core.profile_by_skill(state, config)]
        comparison = None
        if newest and self.show_class_comparison:
            comparison = core.comparison(privacy.shown_to_learners(self.class_distribution), config)
            for row in comparison or ():
                for item in row["levels"]:
                    item["label"] = labels[item["level"]]
        return {
            "title": self.display_name,
            "instructions": self.instructions,
            "evidence_enabled": self.evidence_enabled,
            "evidence_prompt": self.evidence_prompt,
            "evidence_hint": self.at_most_text(core.EVIDENCE_MAX_CHARS),
            "evidence_maxlength": str(core.EVIDENCE_MAX_CHARS),
            "statements": statements,
            "submitted": newest is not None,
            "show_form": newest is None or self.allow_rerating,
            "submitted_at": parse_iso(newest["at"]) if newest else None,
            "submissions": len(state["history"]),
            "growth": growth,
            "profile": profile,
            "comparison": comparison,
            "comparison_min": privacy.MIN_LEARNERS, "comparison_batch": privacy.BATCH,
            "show_comparison_wait": bool(newest and self.show_class_comparison and comparison is None),
        }

    def student_view_data(self, context=None):  # pylint: disable=unused-argument
        """Configuration only, identical for every user (the mobile apps cache it)."""
        return {
            "title": self.display_name,
            "instructions": self.instructions,
            "statements": self.statements,
            "scale": self.scale,
            "allow_unsure": self.allow_unsure,
            "evidence_enabled": self.evidence_enabled,
            "evidence_prompt": self.evidence_prompt,
            "evidence_max_chars": core.EVIDENCE_MAX_CHARS,
            "allow_rerating": self.allow_rerating,
            "show_class_comparison": self.show_class_comparison,
        }

    # --- handlers ----------------------------------------------------------------------------

    @json_api
    def submit(self, data, suffix=""):  # pylint: disable=unused-argument
        """
        Record a full set of ratings (and optional evidence). The answer carries the parts of the
        view that changed (the profile; on the first submit also the form's heading and button),
        or the whole view when the form goes away.
        """
        state = self.state()
        previous = core.latest(state)
        if previous and not self.allow_rerating:
            raise PayloadError("ratings", N_("You have already submitted, and re-rating is not allowed here."))
        ratings, evidence = core.parse_submission(data, self.config)

        when = self.now_text()
        new_state = core.record_submission(state, ratings, evidence, when)
        self.learner_state = new_state
        self.count_in_class("class_distribution", core.class_contribution(state), core.class_contribution(new_state),
                            self.distribution_change(self.config))
        self.publish("submitted", {"ratings": ratings, "evidence_count": len(evidence),
                                   "submission": len(new_state["history"]), "rerating": previous is not None})
        if previous is None:
            self.emit_completion(1.0)
            self.award_credit()
        context = self.view_context(new_state)
        if not context["show_form"]:  # the form goes away: the whole block changed
            return {"html": self.render_template(context), "submitted_at": when}
        changed = ("profile",) if previous else ("profile", "form-intro", "form-actions")
        return {"parts": self.render_parts(context, *changed), "submitted_at": when}

    # --- for other blocks ------------------------------------------------------------------------

    def learner_ratings(self):
        """This learner's latest rating of each current statement, for blocks that link here."""
        newest = core.latest(self.state())
        if newest is None:
            return []
        labels = self.scale_labels()
        return [{"statement": statement, "level": newest["ratings"][statement["id"]], "out_of": len(self.scale),
                 "label": labels.get(newest["ratings"][statement["id"]], "")}
                for statement in self.statements if statement["id"] in newest["ratings"]]

    def learner_skill_levels(self):
        return core.skill_levels(self.state(), self.config)

    def skill_ids(self):
        """For the learning plan: the skills the statements are tagged with, in order."""
        return list(dict.fromkeys(statement["skill"] for statement in self.config.statements))

    def summarize_state(self, state):
        """For the learning plan: a learner's stored state (all user-state fields) in plain terms."""
        stored = self.read_state(core.STATE_SHAPE, state.get("learner_state"))
        newest = core.latest(stored)
        return {"out_of": len(self.config.scale), "levels": core.skill_levels(stored, self.config),
                "first_levels": core.first_skill_levels(stored, self.config),
                "rated_at": newest["at"] if newest else None, "submissions": len(stored["history"])}

    # --- course staff: preview, class summary, one learner's answers ---------------------------

    def level_options(self):
        """(stored level, label) from the lowest level up, then "not sure yet" when offered."""
        labels = self.scale_labels()
        levels = [level for level in self.config.levels if level != core.UNSURE]
        return [(level, labels[level]) for level in levels] + \
            ([(core.UNSURE, labels[core.UNSURE])] if self.allow_unsure else [])

    def preview_fields(self):
        options = [("", self._("Not rated"))] + [(str(level), label) for level, label in self.level_options()]
        return [preview.field(f"ratings.{statement['id']}", statement["text"], "choice", options=options)
                for statement in self.config.statements]

    def preview_html(self, values):
        """Every statement rated as chosen (or none, for the first view), through the submit's own checks."""
        ratings = {key.split(".", 1)[1]: int(value) for key, value in values.items() if value is not None}
        state = core.STATE_SHAPE.default()
        if ratings:
            ratings, evidence = core.parse_submission({"ratings": ratings}, self.config)
            state = core.record_submission(state, ratings, evidence, self.now_text())
        return self.render_template(self.view_context(state, id_prefix="preview-"), id_prefix="preview-")

    @staticmethod
    def distribution_change(config):
        return lambda summary, old, new: privacy.record_change(
            summary, core.update_distribution(summary, config, old, new))

    def class_count_rules(self):
        """The class distribution, from each learner's stored state (for the recount)."""
        return {"class_distribution": (lambda stored: core.class_contribution(
            self.read_state(core.STATE_SHAPE, stored.get("learner_state"))), self.distribution_change(self.config))}

    def class_summary(self):
        summary = self.class_distribution if isinstance(self.class_distribution, dict) else {}
        counts = summary.get("counts") if isinstance(summary.get("counts"), dict) else {}
        options = self.level_options()
        rows = []
        for statement in self.config.statements:
            bucket = counts.get(statement["id"]) if isinstance(counts.get(statement["id"]), dict) else {}
            cells = [count_of(bucket.get(str(level))) for level, _label in options]
            rows.append({"label": statement["text"], "cells": cells + [sum(cells)]})
        return {"learners": count_of(summary.get("learners")), "row_heading": self._("Statement"),
                "columns": [label for _level, label in options] + [self._("Answered by")], "rows": rows}

    def lookup_rows(self, state):
        newest = core.latest(state)
        if newest is None:
            return []
        labels = self.scale_labels()
        rows = [{"label": self._("Submissions"), "value": str(len(state["history"]))},
                {"label": self._("Latest submission"), "value": self.time_text(newest["at"])}]
        for statement in self.config.statements:
            level = newest["ratings"].get(statement["id"])
            if level is None:
                continue
            value = labels.get(level, str(level))
            evidence = newest["evidence"].get(statement["id"])
            if evidence:
                value += "\n" + self._("Evidence: %(text)s") % {"text": evidence}
            rows.append({"label": statement["text"], "value": value})
        return rows

    # --- grading (only when weighted) ----------------------------------------------------------

    def is_done(self):
        return core.latest(self.state()) is not None

    # --- Studio ------------------------------------------------------------------------------

    def studio_problems(self, data):
        return core.validate_config(data.statements, data.scale) + self.weight_problems(data)

    def editor_specs(self):
        return {
            "statements": rows_spec(
                [column("text", self._("Statement"), wide=True), column("skill", self._("Skill"), "skill"),
                 column("id", self._("Id"), "id", prefix="statement")],
                self._("Add a statement"), self._("Statement %(n)s")),
            "scale": rows_spec(
                [column("label", self._("Label")),
                 column("descriptor", self._("Description (optional)"), optional=True, wide=True)],
                self._("Add a level"), self._("Level %(n)s")),
        }

    skill_lists = (("statements", "skill"),)

    # --- reports -----------------------------------------------------------------------------

    def generate_report_data(self, user_state_iterator, limit_responses=None):
        """One row per submission: username, ratings, evidence and the date, for the instructor report."""
        count = 0
        labels = self.scale_labels()  # "Not sure yet" in the report's language, as learners read it
        for user_state in user_state_iterator:
            state = self.read_state(core.STATE_SHAPE, user_state.state.get("learner_state"))
            for number, entry in enumerate(state["history"], start=1):
                if limit_responses is not None and count >= limit_responses:
                    return
                count += 1
                yield user_state.username, {
                    "submission": number,
                    "submitted_at": entry["at"],
                    "ratings": "; ".join(f"{key}={labels.get(level, level)}"
                                         for key, level in entry["ratings"].items()),
                    "evidence": "; ".join(f"{key}: {text}" for key, text in entry["evidence"].items()),
                }
