"""
Mastery gate: a container whose children a learner sees only once the gate's rule holds.

Every value the rule looks at is read here, on the server, from the source blocks (through
the runtime, which is bound to the current learner); nothing the browser sends is trusted.
Until the rule holds no child is rendered, so no child's content or data leaves the server.
"""
import json
import logging
from html import unescape

from django.utils.html import strip_tags
from django.utils.safestring import mark_safe
from web_fragments.fragment import Fragment
from xblock.completable import XBlockCompletionMode
from xblock.core import XBlock
from xblock.exceptions import JsonHandlerError
from xblock.fields import Scope
from xblock.utils.studio_editable import NestedXBlockSpec, StudioContainerWithNestedXBlocksMixin

from .fields import Boolean, Dict, Float, Integer, List, String
from .base import PersonalizedBlockMixin
from .dates import parse_iso
from .handlers import json_api
from .links import AUTHORED, STATE, WRONG_KIND, BlockReference, BlockReferenceList, Link
from .core import N_, percent_text
from .core import gate as core
from .core import mastery
from .core import preview
from .core.payload import PayloadError, as_list, as_object, only_keys
from .studio import StudioEditorMixin, column, reference_spec, rows_spec

log = logging.getLogger(__name__)


def _(text):
    """Mark field names for extraction; Studio translates them at display time."""
    return text


MISSING = N_("This source is missing from the course, so it counts as not met. Tell your course team.")
UNREADABLE = N_("The score of this source could not be read, so it counts as not met. Tell your course team.")
UNAVAILABLE = N_("This condition cannot be checked here yet, so it counts as not met. Tell your course team.")
# "Check again" reads every source: at most this many re-evaluations per learner and gate a minute.
RECHECKS_PER_WINDOW = 10
# How much of a child's text names it in the editor when it has no display name of its own.
CHILD_NAME_CHARS = 60
RECHECK_WINDOW_SECONDS = 60


class MasteryGateBlock(PersonalizedBlockMixin, StudioContainerWithNestedXBlocksMixin, StudioEditorMixin, XBlock):
    """Children stay locked until the learner meets the rule; learners are routed by score range."""

    asset_name = "mastery_gate"
    js_init = "PersonalizedMasteryGate"
    user_state_fields = ("learner_state", "instructor_exception")
    has_children = True
    completion_mode = XBlockCompletionMode.AGGREGATOR
    CATEGORY = "personalized_mastery_gate"
    STUDIO_LABEL = _("Mastery gate")

    display_name = String(display_name=_("Title"), default=N_("Show what you know to continue"), scope=Scope.settings,
                          translated_default=True)
    lock_message = String(
        display_name=_("Message on the lock card"), multiline_editor=True, scope=Scope.content, translated_default=True,
        default=N_("The next part opens once you show what you know. Here is what is needed and where you are now."),
    )
    mode = String(display_name=_("Rule"), default="all", scope=Scope.settings,
                  values=[{"display_name": _("All conditions"), "value": "all"},
                          {"display_name": _("Any condition"), "value": "any"}],
                  help=_("Whether learners must meet every condition below, or one of them."))
    sources = BlockReferenceList(
        display_name=_("Score sources"), default=[], scope=Scope.settings,
        help=_("Scored blocks of this course (skill checks, problems) and the score each needs."),
    )
    threshold = Float(display_name=_("Threshold (percent)"), default=80.0, scope=Scope.settings,
                      values={"min": 0, "max": 100, "step": 1},
                      help=_("The score each source needs, unless set per source below."))
    source_thresholds = List(
        display_name=_("Threshold per source"), default=[], scope=Scope.settings,
        help=_("Optional: a percentage per score source, in the same order."),
    )
    skill_checks = BlockReferenceList(
        display_name=_("Skill checks for skills"), default=[], scope=Scope.settings,
        help=_("Skill checks whose per-skill answers give the evidence for the skills below."),
    )
    skills = List(
        display_name=_("Skills"), default=[], scope=Scope.settings,
        help=_("Each skill with the mastery it needs, in percent (for Bayesian Knowledge Tracing, the "
               "probability in percent: 95 means 0.95). Only skills that a linked skill check asks about."),
    )
    estimator = String(display_name=_("Mastery estimator"), default="n_of_m", scope=Scope.settings,
                       values=[{"display_name": label, "value": method}
                               for method, label in mastery.ESTIMATORS.items()],
                       help=_("How a learner's answers on a skill become one mastery value."))
    estimator_params = Dict(display_name=_("Estimator settings"), default={}, scope=Scope.settings,
                            help=_("Optional: empty settings use the estimator's defaults."))
    self_assessment = BlockReference(display_name=_("Self-assessment (optional)"), default=None, scope=Scope.settings)
    self_assessment_skill = String(display_name=_("Self-assessment skill"), default="", scope=Scope.settings)
    self_assessment_level = Float(display_name=_("Self-assessment level needed"), default=1.0, scope=Scope.settings,
                                  values={"min": 0, "step": 0.5})
    choice_board = BlockReference(display_name=_("Choice board to complete (optional)"), default=None,
                                  scope=Scope.settings)
    goal_reflection = BlockReference(display_name=_("Goal reflection with goals set (optional)"), default=None,
                                     scope=Scope.settings)
    routes = List(
        display_name=_("Routes"), default=[], scope=Scope.settings,
        help=_("Optional: up to three score ranges covering 0 to 100, each with a name learners see. The "
               "score is the mean of the source and skill values."),
    )
    child_routes = Dict(
        display_name=_("Route of each child"), default={}, scope=Scope.settings,
        help=_("Which route each child of the gate is shown on; children for Everyone are shown on every route."),
    )
    unlock_round = Integer(default=0, scope=Scope.settings,
                           help="Raised by \"re-evaluate everyone\": unlocks from earlier rounds no longer stick.")

    accept_placement = Boolean(
        display_name=_("Count skills placed by a placement check"), default=False, scope=Scope.settings,
        help=_("When a skill check in placement mode places a learner as already knowing a skill, "
               "that skill counts as met here, so they can test out of this content."),
    )
    refresh_below = Float(
        display_name=_("Re-check when recall fades below (percent)"), default=0.0, scope=Scope.settings,
        values={"min": 0, "max": 100, "step": 1},
        help=_("0: once open, the content stays open. Otherwise the content locks again when the chance that a "
               "learner still remembers one of the skills above (FSRS-6 forgetting curve) falls below this, "
               "until they refresh it."),
    )
    refresh_check = BlockReference(
        display_name=_("Re-check to refresh faded skills (optional)"), default=None, scope=Scope.settings,
        help=_("A skill check in re-check mode; the lock card links to it and its answers count."),
    )

    learner_state = Dict(scope=Scope.user_state, help="The latest evaluation (versioned shape).")
    instructor_exception = Dict(
        scope=Scope.user_state,
        help="Staff's exception for this learner (unlock, route, relock) with who, when and why (versioned shape). "
             "Written only by staff through the learning plan, so the learner's own writes never touch it.")

    # A gate never names another gate here (none has a score or these methods), so the platform's
    # walk over required blocks cannot loop back through gates.
    links = {"sources": Link("scorable", reads="has_score"),
             "skill_checks": Link("skill_check", reads="skill_attempts"),
             "refresh_check": Link("skill_check", reads="skill_attempts"),
             "self_assessment": Link("self_assessment", reads="learner_skill_levels"),
             "choice_board": Link("choice_board", reads="is_board_complete"),
             "goal_reflection": Link("goal_reflection", reads="has_goals_set")}

    editable_fields = ("display_name", "lock_message", "mode", "sources", "threshold", "source_thresholds",
                       "skill_checks", "skills", "estimator", "estimator_params", "self_assessment",
                       "self_assessment_skill", "self_assessment_level", "choice_board", "goal_reflection",
                       "routes", "child_routes", "accept_placement", "refresh_below", "refresh_check")
    editor_hidden = ("source_thresholds",)  # edited beside each score source
    editor_sections = (
        (N_("Scores to reach"), ("sources", "threshold")),
        (N_("Skills to master"), ("skill_checks", "skills", "estimator", "estimator_params", "accept_placement")),
        (N_("Other blocks to complete"), ("self_assessment", "self_assessment_skill", "self_assessment_level",
                                          "choice_board", "goal_reflection")),
        (N_("Routes by score"), ("routes", "child_routes")),
        (N_("Keeping skills fresh"), ("refresh_below", "refresh_check")),
    )
    editor_actions = ({"name": "reevaluate_everyone",
                       "label": _("Re-evaluate everyone: learners who already unlocked must meet the rule as saved"),
                       "help": _("Leave this off and every learner who has unlocked keeps access when the rule "
                                 "changes. Tick it only to apply a stricter rule to them too.")},)

    # --- conditions ----------------------------------------------------------------------------

    def conditions(self, data=None):
        """The rule's conditions from the current settings (or from ``data``, Studio's preview)."""
        data = data or self
        thresholds = core.source_thresholds_for(data.sources, data.source_thresholds, data.threshold)
        found = [core.Condition(core.SCORE, str(ref), threshold) for ref, threshold in zip(data.sources, thresholds)]
        for item in data.skills if isinstance(data.skills, list) else ():
            if isinstance(item, dict):
                found.append(core.Condition(core.SKILL, str(item.get("skill")), item.get("threshold"),
                                            skill=str(item.get("skill"))))
        if data.self_assessment:
            found.append(core.Condition(core.SELF_LEVEL, str(data.self_assessment), data.self_assessment_level,
                                        skill=data.self_assessment_skill))
        if data.choice_board:
            found.append(core.Condition(core.BOARD, str(data.choice_board)))
        if data.goal_reflection:
            found.append(core.Condition(core.GOALS, str(data.goal_reflection)))
        return found

    @staticmethod
    def condition_key(condition):
        return f"{condition.kind}:{condition.skill or condition.key}" if condition.kind != core.SCORE \
            else f"score:{condition.key}"

    def evaluate(self):
        """Read every condition's value from its source now and apply the rule."""
        cache = {}
        results = []
        for condition in self.conditions():
            reading = self._read(condition, cache)
            results.append(core.Result(condition, reading, core.is_met(condition, reading)))
        routes = core.usable_routes(self.routes)
        state = self.read_state(core.STATE_SHAPE, self.learner_state)
        evaluation = core.keep_unlocked(core.evaluate(self.mode, results, routes), state, self.unlock_round, routes)
        if self.refresh_below and evaluation.unlocked:  # a relock the author asked for: recall has faded
            evaluation = core.with_refresh(evaluation, core.needing_refresh(self.recall_by_skill(cache),
                                                                            self.refresh_below))
        # The instructor's exception for this learner decides last.
        return core.with_exception(evaluation, self.current_exception(), routes)

    def current_exception(self):
        """The instructor's exception for this learner now, or None."""
        return self.read_state(core.EXCEPTION_SHAPE, self.instructor_exception)["current"]

    def is_unlocked(self):
        """For other blocks: whether the rule holds for this learner now (read from the sources)."""
        return self.evaluate().unlocked

    def learner_route(self):
        """For other blocks: this learner's route id now, or None (locked, or no routing)."""
        route = self.evaluate().route
        return route["id"] if route else None

    def skill_ids(self):
        """For the learning plan: the skills this gate's rule measures."""
        return [condition.skill for condition in self.conditions() if condition.kind == core.SKILL]

    def mastery_rules(self):
        """For the learning plan: per skill, how this gate measures it (estimator, params, threshold in %)."""
        try:
            params = mastery.validate_params(self.estimator, **dict(self.estimator_params or {}))
        except (PayloadError, TypeError, ValueError):
            return {}
        return {condition.skill: {"estimator": self.estimator, "params": params,
                                  "threshold": core.clean_number(condition.threshold, 0, 100)}
                for condition in self.conditions() if condition.kind == core.SKILL}

    def route_options(self):
        """For the learning plan: the routes learners can be on (id and label)."""
        return [{"id": route["id"], "label": route["label"]} for route in core.usable_routes(self.routes)]

    def summarize_state(self, state):
        """
        For the learning plan: a learner's stored gate state (all user-state fields, as the platform's
        user-state client returns them) in plain terms, with the instructor's exception applied.
        """
        stored = self.read_state(core.STATE_SHAPE, state.get("learner_state"))
        current = self.read_state(core.EXCEPTION_SHAPE, state.get("instructor_exception"))["current"]
        routes = core.usable_routes(self.routes)
        route = next((item for item in routes if item["id"] == stored["route"]), None)
        unlocked, route = core.exception_outcome(current, stored["unlocked"], route, routes)
        return {"unlocked": unlocked, "route": route["id"] if route else None,
                "reached_at": stored["reached_at"], "unlocked_at": stored["unlocked_at"], "exception": current}

    def exception_update(self, stored, data, by, when):
        """
        For the learning plan (staff): the new ``instructor_exception`` value with the audit entry
        (who, when, why) for the request ``data``; PayloadError naming the bad key.
        """
        action, route, reason = core.parse_exception(data, {route["id"] for route in self.route_options()})
        new_value = core.record_exception(self.read_state(core.EXCEPTION_SHAPE, stored), action=action, route=route,
                                          reason=reason, by=by, when=when)
        return new_value, new_value["history"][-1]

    def learner_summary(self):
        """For the learning plan: the current learner's gate, evaluated now, with what is still missing."""
        summary = self.summarize_state(self.own_user_state())
        evaluation = self.evaluate()
        unmet = []
        for result in evaluation.results:
            if not result.met:
                message, params = core.describe(result.condition, result.reading.label)
                source = result.condition.key if result.condition.kind != core.SKILL else \
                    (str(self.skill_checks[0]) if self.skill_checks else None)
                unmet.append({"kind": result.condition.kind, "source": source, "text": self._(message) % params})
        route = evaluation.route
        return dict(summary, unlocked=evaluation.unlocked, route=route["id"] if route else None,
                    route_label=route["label"] if route else None, mode=self.mode, unmet=unmet)

    def _load(self, ref, cache):
        """The referenced block for this learner (once per evaluation), or None when it cannot be loaded."""
        key = str(ref)
        if key not in cache:
            cache[key] = self.linked(ref, STATE)
        return cache[key]

    def _read(self, condition, cache):
        if condition.kind == core.SKILL:
            return self._read_skill(condition, cache)
        block = self._load(condition.key, cache)
        if block is None:
            return core.Reading(problem=MISSING, label=condition.key)
        label = getattr(block, "display_name", None) or condition.key
        link = self.link_to(condition.key)
        try:
            if condition.kind == core.SCORE:
                return self._read_score(block, label, link)
            if condition.kind == core.SELF_LEVEL:
                level = block.learner_skill_levels().get(condition.skill)
                return core.Reading(value=core.clean_number(level), label=label, link=link)
            method = "is_board_complete" if condition.kind == core.BOARD else "has_goals_set"
            value = getattr(block, method)()
            return core.Reading(value=value is True, label=label, link=link)
        except Exception:  # pylint: disable=broad-except
            # A broken source is "not met", never a 500.
            log.warning("Mastery gate %s: cannot read %s", self.scope_ids.usage_id, condition.key, exc_info=True)
            return core.Reading(problem=UNAVAILABLE, label=label, link=link)

    def _read_score(self, block, label, link):
        attempts_left = self._attempts_left(block)
        if not getattr(block, "has_score", False):
            return core.Reading(problem=UNAVAILABLE, label=label, link=link)
        submitted = getattr(block, "has_submitted_answer", None)
        if callable(submitted) and not submitted():
            return core.Reading(label=label, link=link, attempts_left=attempts_left)
        score = block.get_score() if hasattr(block, "get_score") else None
        if score is None:
            return core.Reading(label=label, link=link, attempts_left=attempts_left)
        earned, possible = getattr(score, "raw_earned", None), getattr(score, "raw_possible", None)
        if not possible and hasattr(block, "max_score"):
            possible = block.max_score()
        percent = core.percent_from_score(earned, possible)
        if percent is None:
            log.warning("Mastery gate %s: ignoring unusable score %r of %r from %s",
                        self.scope_ids.usage_id, earned, possible, block.scope_ids.usage_id)
            return core.Reading(problem=UNREADABLE, label=label, link=link, attempts_left=attempts_left)
        return core.Reading(value=percent, label=label, link=link, attempts_left=attempts_left)

    @staticmethod
    def _attempts_left(block):
        try:
            left = block.attempts_left() if hasattr(block, "attempts_left") else None
        except Exception:  # pylint: disable=broad-except
            return None
        return left if isinstance(left, int) and not isinstance(left, bool) else None

    def evidence_checks(self):
        """The skill checks whose answers are evidence: those listed, and the refresh re-check."""
        refs = list(self.skill_checks)
        if self.refresh_check and str(self.refresh_check) not in {str(ref) for ref in refs}:
            refs.append(self.refresh_check)
        return refs

    def skill_histories(self, cache):
        """
        ``({skill: dated answers from every evidence check}, {skill: placed}, {skill: link}, attempts left)``,
        read once per evaluation: the one evidence history every decision about a skill comes from.
        """
        if "skill_histories" in cache:
            return cache["skill_histories"]
        histories, placed, links, lefts, loaded = {}, {}, {}, [], False
        for ref in self.evidence_checks():
            check = self._load(ref, cache)
            if check is None:
                continue
            loaded = True
            try:
                found = check.skill_evidence()
                placements = check.placement_results() if self.accept_placement and hasattr(
                    check, "placement_results") else {}
            except Exception:  # pylint: disable=broad-except
                log.warning("Mastery gate %s: cannot read skills of %s", self.scope_ids.usage_id, ref, exc_info=True)
                continue
            for skill, rows in found.items():
                histories.setdefault(skill, []).extend(rows)
                links.setdefault(skill, self.link_to(ref))
            for skill, row in placements.items():
                placed[skill] = placed.get(skill, False) or bool(isinstance(row, dict) and row.get("mastered"))
            lefts.append(self._attempts_left(check))
        left = sum(lefts) if lefts and all(item is not None for item in lefts) else None
        cache["skill_histories"] = (histories, placed, links, left) if loaded else None
        return cache["skill_histories"]

    def decide_skill(self, skill, rows, threshold=None):
        """The one decision about ``skill`` from its evidence history (``mastery.decide``, this gate's estimator)."""
        return mastery.decide(self.estimator, rows, now=self.now(),
                              threshold=None if threshold is None else threshold / 100,
                              **dict(self.estimator_params or {}))

    def _read_skill(self, condition, cache):
        label = condition.skill
        found = self.skill_histories(cache)
        if found is None:
            return core.Reading(problem=MISSING, label=label)
        histories, placed, links, left = found
        link = links.get(condition.skill)
        threshold = core.clean_number(condition.threshold, 0, 100)
        try:
            decision = self.decide_skill(condition.skill, histories.get(condition.skill, []), threshold)
        except (PayloadError, TypeError, ValueError):
            log.warning("Mastery gate %s: ignoring unusable evidence for %s", self.scope_ids.usage_id, condition.skill)
            return core.Reading(problem=UNREADABLE, label=label, link=link)
        value = None if decision.value is None else decision.value * 100
        return core.Reading(value=value, label=label, link=link, attempts_left=left,
                            placed=placed.get(condition.skill, False),
                            mastered=decision.mastered and threshold is not None,  # an unusable threshold is unmet
                            needed=decision.needed if threshold is not None else None)

    def recall_by_skill(self, cache):
        """``{skill: recall now (0..1) or None}`` for the gate's skills: ``mastery.recall`` over their histories."""
        histories = (self.skill_histories(cache) or ({},))[0]
        now = self.now()
        recall = {}
        for condition in self.conditions():
            if condition.kind == core.SKILL:
                try:
                    recall[condition.skill] = mastery.estimate("recall", histories.get(condition.skill, []), now=now)
                except PayloadError:
                    recall[condition.skill] = None
        return recall

    # --- learner state -------------------------------------------------------------------------

    def remember(self, evaluation):
        """
        Store the latest evaluation (for reports and the mobile apps); publish unlock and route
        changes. Returns the evaluation as stored and whether anything but the time changed.

        A view stores it under the learner's lock too, with the state read afresh, so that it never
        overwrites what a handler of the same learner wrote meanwhile; if the fresh state differs
        from the copy the evaluation was made on (an unlock that sticks, say), it evaluates again.
        """
        keys = [self.condition_key(result.condition) for result in evaluation.results]
        copy = self.read_state(core.STATE_SHAPE, self.learner_state)
        if core.snapshot(copy, evaluation, keys, self.now_text(), self.unlock_round) is None:
            return evaluation, False  # nothing to store: no lock, no write
        outcome = [evaluation, False]

        def store():
            state = self.read_state(core.STATE_SHAPE, self.learner_state)
            if state != copy:
                outcome[0] = self.evaluate()
            new_state = core.snapshot(state, outcome[0], keys, self.now_text(), self.unlock_round)
            if new_state is None:
                return
            self.learner_state = new_state
            # Saved now, not at the end of the request: Open edX decides whether the children may be
            # opened from this stored evaluation (the gate's user partition), and renders them next.
            self.save()
            outcome[1] = True
            if outcome[0].unlocked and not state["unlocked_at"]:
                self.publish("unlocked", {"route": new_state["route"], "values": new_state["values"]})
            elif new_state["route"] != state["route"] and new_state["route"] is not None:
                self.publish("routed", {"route": new_state["route"], "previous": state["route"]})

        self.write_outside_handler(store)
        return tuple(outcome)

    # --- views ---------------------------------------------------------------------------------

    @XBlock.supports("multi_device")  # checked at 375 px in the browser tests, data in student_view_data
    def student_view(self, context=None):
        if self.is_staff():
            return self.staff_fragment(context)
        evaluation, _changed = self.remember(self.evaluate())
        return self.learner_fragment(evaluation, context)

    def learner_fragment(self, evaluation, context=None):
        children, resources = [], Fragment()
        if evaluation.unlocked:  # only now is any child rendered
            children = self.render_children_for(evaluation.route, context, resources)
        html = self.render_template(self.view_context(evaluation, children))
        return self.gate_fragment(html, resources)

    def staff_fragment(self, context=None):
        resources = Fragment()
        children = self.render_children_for(None, context, resources, everyone=True)
        html = self.render_template(self.view_context(None, children, staff=True))
        return self.gate_fragment(html, resources)

    def gate_fragment(self, html, resources):
        """
        The gate's fragment plus its children's resources. The script's messages travel in a data
        attribute rather than JSON init args: the workbench runtime reads init args with a descendant
        selector, so a container's args and its children's would run together.
        """
        fragment = self.build_fragment(html)
        fragment.json_init_args = None
        fragment.add_fragment_resources(resources)
        return fragment

    def author_view(self, context=None):
        context = context or {}
        root = context.get("root_xblock")
        if root is not None and getattr(root, "location", None) == getattr(self, "location", object()):
            return self.author_edit_view(context)
        return self.author_preview_view(context)

    def author_preview_view(self, context=None):
        """Studio's preview shows every child; anywhere else only staff get more than the learner view."""
        if self.is_staff() or getattr(self.runtime, "is_author_mode", False):
            return self.staff_fragment(context)
        return self.student_view(context)

    def render_children_for(self, route, context, resources, everyone=False):
        """Rendered children for ``route`` (all of them for staff), resources gathered in ``resources``."""
        route_labels = {item["id"]: item["label"] for item in core.usable_routes(self.routes)}
        child_routes = self.child_routes if isinstance(self.child_routes, dict) else {}
        keys = [self.child_key(child) for child in self.children]
        visible = set(keys) if everyone else set(core.visible_children(keys, child_routes, route))
        rendered = []
        for child_id, key in zip(self.children, keys):
            if key not in visible:
                continue
            child_fragment = self.render_child_or_skip(child_id, context)
            if child_fragment is None:  # the platform refused it (access rules); the learner is told, never a 500
                rendered.append({"refused": True, "key": key})
                continue
            resources.add_fragment_resources(child_fragment)
            route_id = child_routes.get(key, core.EVERYONE)
            # A child's fragment is markup its own block rendered (and escaped); it goes in as is.
            rendered.append({"html": mark_safe(child_fragment.content), "key": key,
                             "route": route_labels.get(route_id) if route_id != core.EVERYONE else None})
        return rendered

    def render_child_or_skip(self, child_id, context):
        """
        A child's fragment, or None when there is nothing to show: the LMS refuses (or renders
        empty) a child this learner may not see, such as staff-only or another cohort's content.
        """
        try:
            child = self.runtime.get_block(child_id)
            fragment = self.runtime.render_child(child, "student_view", context or {}) if child is not None else None
        except Exception:  # pylint: disable=broad-except
            log.info("Mastery gate %s: skipping child %s, which the runtime did not render",
                     self.scope_ids.usage_id, child_id, exc_info=True)
            return None
        return fragment if fragment is not None and (fragment.content or "").strip() else None

    @staticmethod
    def child_key(child_id):
        """A child's id as authors write it in child_routes (stable across course re-runs)."""
        return str(getattr(child_id, "block_id", None) or child_id)

    def view_context(self, evaluation, children, staff=False):
        conditions = []
        results = evaluation.results if evaluation else [
            core.Result(condition, core.Reading(label=self._label_for_staff(condition)), False)
            for condition in self.conditions()]
        for result in results:
            message, params = core.describe(result.condition, result.reading.label)
            reading = result.reading
            written = core.number_text if result.condition.kind == core.SELF_LEVEL else percent_text
            conditions.append({
                "kind": result.condition.kind, "text": self._(message) % params, "met": result.met,
                "required": written(result.condition.threshold),
                "current": written(reading.value) if not isinstance(reading.value, bool) else None,
                "done": reading.value is True, "problem": self._(reading.problem) if reading.problem else None,
                "attempts_left": reading.attempts_left, "link": reading.link, "label": reading.label,
                "placed": reading.placed, "needed": reading.needed,
            })
        explanation = None
        if any(result.condition.kind == core.SKILL for result in results):
            try:
                explanation = mastery.explain(self.estimator, **dict(self.estimator_params)).render(self._)
            except (PayloadError, TypeError, ValueError):
                explanation = None
        return {
            "title": self.display_name, "lock_message": self.lock_message, "staff": staff,
            "rule": self._(core.RULES.get(self.mode, core.RULES["all"])),
            "conditions": conditions, "explanation": explanation,
            "unlocked": bool(evaluation and evaluation.unlocked), "children": children,
            "refused": any(child.get("refused") for child in children),
            "route": evaluation.route if evaluation else None,
            "exception": evaluation.exception if evaluation else None,
            "exception_at": parse_iso(evaluation.exception["at"]) if evaluation and evaluation.exception else None,
            "score": percent_text(evaluation.score) if evaluation else "",
            "routes": core.usable_routes(self.routes),
            "messages": self.messages(), "watch": self.watched_ids(),
            "refresh": [{"skill": skill, "recall": percent_text(recall)}
                        for skill, recall in (evaluation.refresh if evaluation else ())],
            "refresh_below": percent_text(self.refresh_below),
            "refresh_link": self.link_to(self.refresh_check) if self.refresh_check else None,
            "refresh_label": self._label_for_staff(core.Condition(core.SCORE, str(self.refresh_check)))
            if self.refresh_check and evaluation and evaluation.refresh else "",
        }

    # --- course staff: broken links and preview -------------------------------------------------------

    FIELD_OF_KIND = {core.SCORE: "sources", core.SELF_LEVEL: "self_assessment", core.BOARD: "choice_board",
                     core.GOALS: "goal_reflection"}

    def link_warnings(self):
        """Every linked block that is missing, of the wrong kind, inside the gate, or unreadable now."""
        inside = self.descendant_ids()
        warnings, checked = [], set()
        for field_name, _place, ref in self.link_refs():
            status = self._source_status(field_name, ref, inside)
            if status != "ok":
                checked.add(str(ref))
                problem = "wrong_kind" if status in ("unscorable", "not_skill_check") else status
                warnings.append(self.link_warning(field_name, ref, problem))
        cache = {}
        for condition in self.conditions():
            if condition.kind == core.SKILL or condition.key in checked:
                continue
            if self._read(condition, cache).problem:
                warnings.append(self.link_warning(self.FIELD_OF_KIND[condition.kind], condition.key, "unreadable"))
        return warnings

    @staticmethod
    def preview_key(condition):
        return f"{condition.kind}.{condition.skill or condition.key}"

    def preview_fields(self):
        fields = []
        for condition in self.conditions():
            label = self._label_for_staff(condition)
            key = self.preview_key(condition)
            if condition.kind == core.SCORE:
                text = self._("Score on “%(source)s” (percent)") % {"source": label}
                fields.append(preview.field(key, text, "percent"))
            elif condition.kind == core.SKILL:
                fields.append(preview.field(key, self._("Mastery of the skill %(skill)s (percent)") % {
                    "skill": condition.skill}, "percent"))
            elif condition.kind == core.SELF_LEVEL:
                fields.append(preview.field(key, self._("Self-assessed level for %(skill)s") % {
                    "skill": condition.skill}, "number", minimum=0, maximum=5, step=0.5))
            else:
                text = self._("“%(source)s” complete") if condition.kind == core.BOARD else self._(
                    "Goals set in “%(source)s”")
                fields.append(preview.field(key, text % {"source": label}, "yes_no"))
        return fields

    def preview_html(self, values):
        """The rule applied to the chosen values: the lock card, or the route and which children show."""
        results = []
        for condition in self.conditions():
            reading = core.Reading(value=values.get(self.preview_key(condition)),
                                   label=self._label_for_staff(condition))
            results.append(core.Result(condition, reading, core.is_met(condition, reading)))
        evaluation = core.evaluate(self.mode, results, core.usable_routes(self.routes))
        context = self.view_context(evaluation, [])
        if evaluation.unlocked:
            child_routes = self.child_routes if isinstance(self.child_routes, dict) else {}
            keys = [self.child_key(child) for child in self.children]
            visible = set(core.visible_children(keys, child_routes, evaluation.route))
            context["preview_children"] = [self._child_name(child) for child, key in zip(self.children, keys)
                                           if key in visible]
            context["preview"] = True
        return self.render_template(context, id_prefix="preview-")

    def _child_name(self, child_id, with_text=False):
        """
        A child as authors know it: its display name; else (``with_text``, for the editor) the start
        of its text, since a text block's default name says nothing; else the name of its kind. A child
        that cannot load is still named. The preview names children only: it shows no child's content.
        """
        child = self.linked(child_id, AUTHORED)
        field = getattr(child, "fields", {}).get("display_name")
        if not with_text or (field is not None and field.is_set_on(child) and child.display_name):
            return getattr(child, "display_name", None) or self.child_key(child_id)
        markup = str(getattr(child, "content", None) or getattr(child, "data", None) or "")
        text = " ".join(unescape(strip_tags(markup.replace(">", "> "))).split())
        if text:
            return text if len(text) <= CHILD_NAME_CHARS else text[:CHILD_NAME_CHARS - 1].rstrip() + "…"
        return getattr(child, "display_name", None) or self.child_key(child_id)

    def _label_for_staff(self, condition):
        if condition.kind == core.SKILL:
            return condition.skill
        block = self._load(condition.key, {})
        return getattr(block, "display_name", None) or condition.key

    def messages(self):
        return json.dumps(self.js_messages(
            checking=N_("Checking your progress…"),
            still_locked=N_("Not yet: the conditions are not all met. Your current values are updated above."),
            unlocked=N_("Unlocked: the content is shown below."),
            # %(source)s is the title of the block the learner just submitted, above or below the gate.
            auto_still_locked=N_("Checked again after your work in “%(source)s”: not unlocked yet. "
                                 "Your current values are updated below."),
            auto_unlocked=N_("Checked again after your work in “%(source)s”: unlocked. "
                             "The content is shown below."),
        ))

    def watched_ids(self):
        """Usage ids of the blocks this gate reads, for its script to re-check when one is submitted."""
        refs = list(self.sources) + list(self.skill_checks)
        refs += [ref for ref in (self.self_assessment, self.choice_board, self.goal_reflection, self.refresh_check)
                 if ref]
        return " ".join(sorted({str(ref) for ref in refs}))

    def student_view_data(self, context=None):  # pylint: disable=unused-argument
        """Configuration only, identical for every user: no child content, no learner data."""
        return {
            "title": self.display_name, "lock_message": self.lock_message, "mode": self.mode,
            "sources": [str(ref) for ref in self.sources], "threshold": self.threshold,
            "source_thresholds": self.source_thresholds, "skill_checks": [str(ref) for ref in self.skill_checks],
            "skills": self.skills, "estimator": self.estimator, "estimator_params": self.estimator_params,
            "self_assessment": str(self.self_assessment) if self.self_assessment else None,
            "self_assessment_skill": self.self_assessment_skill, "self_assessment_level": self.self_assessment_level,
            "choice_board": str(self.choice_board) if self.choice_board else None,
            "goal_reflection": str(self.goal_reflection) if self.goal_reflection else None,
            "routes": self.routes, "accept_placement": self.accept_placement,
            "refresh_below": self.refresh_below,
            "refresh_check": str(self.refresh_check) if self.refresh_check else None,
        }

    # --- handlers --------------------------------------------------------------------------------

    @json_api
    def check_again(self, data, suffix=""):  # pylint: disable=unused-argument
        """
        Re-read every source and apply the rule. Locked: the refreshed lock card (the one part of
        the view that changes). Unlocked: the whole gate with the children's HTML and the resources
        (CSS/JS) they need, for the script to load and swap in.
        """
        only_keys(data, ())
        if self.is_staff():
            fragment = self.staff_fragment()
            return {"unlocked": True, "html": fragment.content, "resources": fragment.to_dict()["resources"]}
        self.count_recheck()
        evaluation, changed = self.remember(self.evaluate())
        if changed:  # an event per change, not per click
            self.publish("checked", {"unlocked": evaluation.unlocked, "score": evaluation.score,
                                     "route": evaluation.route["id"] if evaluation.route else None})
        if not evaluation.unlocked:
            return {"unlocked": False, "parts": self.render_parts(self.view_context(evaluation, []), "lock")}
        fragment = self.learner_fragment(evaluation)
        return {"unlocked": True, "html": fragment.content, "resources": fragment.to_dict()["resources"]}

    def count_recheck(self):
        """
        429 past RECHECKS_PER_WINDOW re-evaluations by this learner within RECHECK_WINDOW_SECONDS:
        each one reads every source. Counted in the shared cache, under the learner's lock.
        """
        cache = self.shared_cache()
        key = self.cache_key("rechecks", self.scope_ids.user_id)
        cache.add(key, 0, RECHECK_WINDOW_SECONDS)
        try:
            count = cache.incr(key)
        except ValueError:  # the window ended between add and incr
            cache.add(key, 1, RECHECK_WINDOW_SECONDS)
            count = 1
        if count > RECHECKS_PER_WINDOW:
            raise JsonHandlerError(429, self._("You have checked several times in the last minute. "
                                               "Wait a minute, then check again."))

    # --- Studio ----------------------------------------------------------------------------------

    @property
    def allowed_nested_blocks(self):
        return [NestedXBlockSpec(None, category="html", label=self._("Text")),
                NestedXBlockSpec(None, category="problem", label=self._("Problem")),
                NestedXBlockSpec(None, category="video", label=self._("Video")),
                NestedXBlockSpec(None, category="personalized_self_assessment", label=self._("Self-assessment")),
                NestedXBlockSpec(None, category="personalized_choice_board", label=self._("Choice board")),
                NestedXBlockSpec(None, category="personalized_goal_reflection", label=self._("Goal reflection"))]

    def studio_problems(self, data):
        """Every problem with the settings in ``data``, as PayloadErrors."""
        problems = []
        if data.mode not in core.MODES:
            problems.append(PayloadError("mode", N_("The rule must be all or any.")))
        for name, limit in (("sources", core.MAX_SOURCES), ("skill_checks", core.MAX_SOURCES)):
            try:
                as_list(getattr(data, name), name, max_items=limit)
            except PayloadError as error:
                return problems + [error]
        inside = self.descendant_ids()
        links = [problem for name, _place, ref in self.link_refs(data) if name != "refresh_check"
                 for problem in core.validate_sources(name, [(str(ref), self._source_status(name, ref, inside))])]
        skill_problems = core.validate_skills(data.skills)
        problems += links + core.validate_thresholds(data.source_thresholds, len(data.sources), data.threshold)
        problems += skill_problems
        if data.skills and not data.skill_checks:
            problems.append(PayloadError("skill_checks", N_("Skills need at least one skill check as evidence.")))
        elif not links and not skill_problems:
            problems += self.unmeasured_skills(data)
        try:
            mastery.validate_params(data.estimator, field="estimator_params", method_field="estimator",
                                    **(data.estimator_params or {}))
        except (PayloadError, TypeError) as error:
            problems.append(error if isinstance(error, PayloadError)
                            else PayloadError("estimator_params", N_("Expected a JSON object.")))
        if data.self_assessment and not data.self_assessment_skill:
            problems.append(PayloadError("self_assessment_skill", N_("Name the skill the self-assessment must show.")))
        problems += self.refresh_problems(data, inside)
        problems += core.validate_routes(data.routes)
        problems += core.validate_child_routes(data.child_routes, {self.child_key(child) for child in self.children},
                                               data.routes if isinstance(data.routes, list) else [])
        conditions = self.conditions(data) if not problems else []
        if not problems and not conditions:
            problems.append(PayloadError("sources", N_("Add at least one source, skill or condition.")))
        if not problems and data.routes and not any(condition.numeric for condition in conditions):
            problems.append(PayloadError("routes", N_("Routing needs at least one score source or skill.")))
        return problems

    def refresh_problems(self, data, inside):
        """Problems with the placement and refresh settings in ``data``."""
        below = data.refresh_below
        if isinstance(below, bool) or not isinstance(below, (int, float)) or not 0 <= below <= 100:
            return [PayloadError("refresh_below", N_("The refresh level must be a percentage from 0 to 100."))]
        problems = []
        if below and not data.skills:
            problems.append(PayloadError("refresh_below", N_("Refreshing needs at least one skill condition.")))
        if data.refresh_check:
            problems += core.validate_sources("refresh_check", [
                (str(data.refresh_check), self._source_status("refresh_check", data.refresh_check, inside))])
        if data.accept_placement and not data.skills:
            problems.append(PayloadError("accept_placement", N_("Placement counts only for skill conditions.")))
        return problems

    def editor_specs(self):
        def number(key, label, **limits):
            return column(key, label, "number", **limits)
        share = {"min": 0, "max": 1, "step": 0.05}
        least = number("min_right", self._("Right answers needed among the latest (this number + 2); 0: none"),
                       integer=True, min=0, max=mastery.MAX_N)
        params = {method: [] for method in mastery.FUNCTIONS}
        params.update(
            decaying_average=[number("weight", self._("Share of the latest attempt (above 0, at most 1)"), **share)],
            n_of_m=[number("n", self._("n: correct answers needed"), integer=True, min=1, max=mastery.MAX_N),
                    number("m", self._("m: latest answers counted"), integer=True, min=1, max=mastery.MAX_N),
                    number("cut", self._("Mark that counts as correct (above 0, at most 1)"), **share)],
            bkt=[number("prior", self._("Chance the skill is known before any answer (0 to 1)"), **share),
                 number("learn", self._("Chance of learning it with each answer (0 to 1)"), **share),
                 number("guess", self._("Chance of a lucky guess (0 to 1)"), **share),
                 number("slip", self._("Chance of a slip when the skill is known (0 to 1)"), **share)])
        for method in mastery.GUARDED:
            params[method] = params[method] + [least]
        percent = {"min": 0, "max": 100, "step": 1}
        return {
            "sources": rows_spec(
                [column("source", self._("Scored block"), "reference", accepts=["scorable"], optional=False),
                 number("threshold", self._("Score needed in percent (optional: the threshold below)"),
                        optional=True, **percent)],
                self._("Add a score source"), self._("Source %(n)s"), errors_from={"source_thresholds": "threshold"}),
            "skill_checks": self.skill_checks_spec(),
            "skills": rows_spec([column("skill", self._("Skill"), "skill"),
                                 number("threshold", self._("Mastery needed in percent"), **percent)],
                                self._("Add a skill condition"), self._("Skill condition %(n)s")),
            "estimator_params": {"kind": "params", "by": "estimator", "params": params,
                                 "none_label": self._("This estimator has no settings.")},
            "self_assessment": reference_spec(["self_assessment"]),
            "self_assessment_skill": {"kind": "skill"},
            "choice_board": reference_spec(["choice_board"]),
            "goal_reflection": reference_spec(["goal_reflection"]),
            "routes": rows_spec([column("label", self._("Name learners see")),
                                 number("min", self._("From score (percent)"), **percent),
                                 number("max", self._("Up to score (percent)"), **percent),
                                 column("id", self._("Id"), "id", prefix="route")],
                                self._("Add a route"), self._("Route %(n)s")),
            "child_routes": {"kind": "assign", "children": self.child_choices(), "options_from": "routes"},
            "refresh_check": reference_spec(["skill_check"]),
        }

    def child_choices(self):
        """The gate's children as the route editor lists them: key and the name authors know them by."""
        return [{"key": self.child_key(child_id), "label": self._("Child %(n)s: %(name)s") % {
                 "n": number, "name": self._child_name(child_id, with_text=True)}}
                for number, child_id in enumerate(self.children, start=1)]

    def editor_value(self, name):
        if name == "sources":
            sources = [str(ref) for ref in self.sources]
            thresholds = self.source_thresholds if isinstance(self.source_thresholds, list) \
                and len(self.source_thresholds) == len(sources) else [None] * len(sources)
            return [{"source": source, "threshold": threshold} for source, threshold in zip(sources, thresholds)]
        return super().editor_value(name)

    def editor_to_fields(self, values):
        """The form's source rows (block and optional threshold) as the sources and source_thresholds fields."""
        if "sources" not in values:
            return values
        refs, thresholds = [], []
        for index, row in enumerate(as_list(values["sources"], "sources", max_items=core.MAX_SOURCES)):
            where = f"sources[{index}]"
            only_keys(as_object(row, where), ("source", "threshold"), where)
            if not isinstance(row.get("source"), str) or not row["source"]:
                raise PayloadError(f"{where}.source", N_("Pick a block from the list."))
            refs.append(row["source"])
            thresholds.append(row.get("threshold"))
        default = values.get("threshold", self.threshold)
        own = [default if value is None else value for value in thresholds] if any(
            value is not None for value in thresholds) else []
        return dict(values, sources=refs, source_thresholds=own)

    def after_studio_save(self, actions):
        if actions.get("reevaluate_everyone"):
            self.unlock_round += 1

    def unmeasured_skills(self, data):
        """
        A condition on a skill that none of the linked blocks measures could never be met: refuse it,
        naming the skill. (A linked block that cannot list its skills is given the benefit of the doubt.)
        """
        problems = []
        measured = [self._skills_of(ref) for ref in data.skill_checks]
        if all(skills is not None for skills in measured):
            known = set().union(*measured)
            for index, item in enumerate(data.skills):
                if item["skill"] not in known:
                    problems.append(PayloadError(f"skills[{index}].skill", N_(
                        "No linked skill check asks about the skill “%(skill)s”. Pick a skill they use (%(known)s) "
                        "or link a skill check that asks about it."), skill=item["skill"],
                        known=", ".join(sorted(known)) or "—"))
        rated = self._skills_of(data.self_assessment) if data.self_assessment else None
        if rated is not None and data.self_assessment_skill and data.self_assessment_skill not in rated:
            problems.append(PayloadError("self_assessment_skill", N_(
                "The linked self-assessment has no statement about the skill “%(skill)s”. Pick a skill it "
                "uses (%(known)s)."), skill=data.self_assessment_skill, known=", ".join(sorted(rated)) or "—"))
        return problems

    def _skills_of(self, ref):
        """The skills a linked block measures, or None when it cannot say."""
        block = self._load(ref, {})
        if block is None or not hasattr(block, "skills_used"):
            return None
        skills = self._safely(block.skills_used)
        return set(skills) if skills is not None else None

    def _source_status(self, field_name, ref, inside):
        """What is wrong with a linked block, in the terms of ``core.SOURCE_PROBLEMS``: "ok" if nothing."""
        if str(ref) in inside or str(ref) == str(self.scope_ids.usage_id):
            return "inside"
        status = self.link_status(field_name, ref)
        if status == WRONG_KIND:
            return "not_skill_check" if self.links[field_name].kind == "skill_check" else "unscorable"
        return status

    # --- reports -----------------------------------------------------------------------------------

    def generate_report_data(self, user_state_iterator, limit_responses=None):
        """One row per learner who reached the gate: each condition's latest value, locked or unlocked, route."""
        labels = {route["id"]: route["label"] for route in core.usable_routes(self.routes)}
        keys = [self.condition_key(condition) for condition in self.conditions()]
        for count, user_state in enumerate(user_state_iterator):
            if limit_responses is not None and count >= limit_responses:
                return
            state = self.read_state(core.STATE_SHAPE, user_state.state.get("learner_state"))
            summary = self.summarize_state(user_state.state)  # with the instructor's exception applied
            exception = summary["exception"]
            row = {key: "" if state["values"].get(key) is None else str(state["values"][key]) for key in keys}
            row.update({"status": "unlocked" if summary["unlocked"] else "locked",
                        "route": labels.get(summary["route"], summary["route"] or ""),
                        "evaluated_at": state["evaluated_at"] or "",
                        "exception": f"{exception['action']} by {exception['by']} at {exception['at']}: "
                                     f"{exception['reason']}" if exception else ""})
            yield user_state.username, row
