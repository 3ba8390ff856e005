"""
Mastery gate: a container whose children a learner sees only once the gate's rule holds.

Every value the rule looks at is read here, on the server, from the source blocks (through
the runtime, which is bound to the current learner); nothing the browser sends is trusted.
Until the rule holds no child is rendered, so no child's content or data leaves the server.
"""
import json
import logging

from django.utils.safestring import mark_safe
from web_fragments.fragment import Fragment
from xblock.completable import XBlockCompletionMode
from xblock.core import XBlock
from xblock.exceptions import JsonHandlerError
from xblock.fields import Scope
from xblock.utils.studio_editable import StudioContainerWithNestedXBlocksMixin

from .fields import Boolean, Dict, Float, Integer, List, String
from .base import PersonalizedBlockMixin
from .dates import parse_iso
from .handlers import json_api
from .links import STATE, WRONG_KIND, BlockReference, BlockReferenceList, Link
from .core import N_, percent_text
from .core import gate as core
from .core import mastery
from .core.payload import PayloadError, only_keys
from .gate_sources import GateSourcesMixin
from .gate_studio import GateStudioMixin
from .studio import StudioEditorMixin

log = logging.getLogger(__name__)
_ = N_  # field labels are marked here and translated when Studio shows them

# "Check again" reads every source: at most this many re-evaluations per learner and gate a minute.
RECHECKS_PER_WINDOW = 10
RECHECK_WINDOW_SECONDS = 60


class MasteryGateBlock(GateSourcesMixin, GateStudioMixin, PersonalizedBlockMixin,
                       StudioContainerWithNestedXBlocksMixin, StudioEditorMixin, XBlock):
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

    # --- linked blocks ---------------------------------------------------------------------------

    def _load(self, ref, cache):
        """The referenced block for this learner (once per evaluation), or None when it cannot be loaded."""
        key = str(ref)
        if key not in cache:
            cache[key] = self.linked(ref, STATE)
        return cache[key]

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
        child_routes = self.child_routes
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
            route_id = core.child_route(child_routes, key)
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
            message, params = self.condition_words(result.condition, result.reading.label)
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

    # --- Studio: the editor's action and link checks ---------------------------------------------

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
                # A framework parent is measured through its children (see GateSourcesMixin._read_parent).
                if item["skill"] not in known and not self.measured_children(item["skill"], known):
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
