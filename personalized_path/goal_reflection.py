"""Goal reflection block: learners set long- and short-term goals, check in on them and revise them."""
import logging
from datetime import date, timedelta

from xblock.completable import CompletableXBlockMixin
from xblock.core import XBlock
from xblock.fields import Scope
from xblock.scorable import ScorableXBlockMixin, Score

from .fields import Boolean, Dict, Float, Integer, List, String
from .base import PersonalizedBlockMixin
from .dates import parse_iso
from .handlers import json_api
from .links import AUTHORED, BlockReference, Link
from .core import N_, percent_text
from .core import goals as core
from .core.payload import PayloadError
from .revisions import RevisionedStateMixin
from .studio import StudioEditorMixin, column, rows_spec

log = logging.getLogger(__name__)
_ = N_  # field labels are marked here and translated when Studio shows them
REFERENCE_HELP = _("Optional: what the learner did there is shown above the check-in form.")
# A goal not set yet, with every key the templates read: a key a dict lacks is a template's slowest lookup.
UNSET_GOAL = {"text": "", "smart": (), "target": None}


class GoalReflectionBlock(RevisionedStateMixin, PersonalizedBlockMixin, StudioEditorMixin, ScorableXBlockMixin,
                          CompletableXBlockMixin, XBlock):
    """Short- and long-term goals with SMART prompts, dated check-ins and a timeline of revisions."""

    asset_name = "goal_reflection"
    js_init = "PersonalizedGoalReflection"
    user_state_fields = ("learner_state",)
    stale_revision_message = N_("These goals were changed in another tab or window since this page was loaded. "
                                "Load the latest version; what you typed stays in the form.")

    display_name = String(display_name=_("Title"), default=N_("Your goals"), scope=Scope.settings,
                          translated_default=True)
    instructions = String(
        display_name=_("Instructions"), multiline_editor=True, scope=Scope.content, translated_default=True,
        default=N_("Set a goal for the course and smaller steps towards it. Your course team can see your goals and "
                   "check-ins with your username; the platform's activity log records your target dates and "
                   "progress ratings, not your words. Other learners never see them."),
    )
    long_term_prompt = String(display_name=_("Long-term goal prompt"), scope=Scope.content, translated_default=True,
                              default=N_("What do you want to be able to do by the end of the course?"))
    short_term_prompts = List(
        display_name=_("Short-term goal prompts"), scope=Scope.content, translated_default=True,
        default=[N_("What will you do in the next week or two to get closer?")],
        help=_("1 to 3 prompts, one per short-term goal."),
    )
    show_smart = Boolean(display_name=_("Show the SMART checklist"), default=True, scope=Scope.settings)
    show_woop = Boolean(display_name=_("Ask for WOOP (wish, outcome, obstacle, plan)"), default=False,
                        scope=Scope.settings)
    show_if_then = Boolean(display_name=_("Ask for an if-then plan"), default=False, scope=Scope.settings)
    checkin_count = Integer(display_name=_("Expected check-ins"), default=3, scope=Scope.settings,
                            values={"min": 0, "max": core.MAX_CHECKINS_EXPECTED, "step": 1},
                            help=_("How many check-ins learners are asked to make (0 to 20)."))
    checkin_interval_days = Integer(display_name=_("Days between check-ins"), default=7, scope=Scope.settings,
                                    values={"min": 0, "max": core.MAX_INTERVAL_DAYS, "step": 1},
                                    help=_("The suggested cadence; 0 means any time."))
    helped_prompt = String(display_name=_("Check-in prompt: what helped"), scope=Scope.content,
                           default=N_("What helped you make progress?"), translated_default=True)
    obstacles_prompt = String(display_name=_("Check-in prompt: what got in the way"), scope=Scope.content,
                              default=N_("What got in the way?"), translated_default=True)
    next_step_prompt = String(display_name=_("Check-in prompt: next step"), scope=Scope.content,
                              default=N_("What is your next step?"), translated_default=True)
    min_chars = Integer(display_name=_("Minimum length"), default=10, scope=Scope.settings,
                        help=_("Fewest characters in a goal or a check-in answer."))
    max_chars = Integer(display_name=_("Maximum length"), default=1000, scope=Scope.settings,
                        help=_("Most characters in a goal or a check-in answer (20 to 2000)."))
    # Not graded: the platform passes a graded subsection's setting down under that name.
    grade_checkins = Boolean(display_name=_("Grade check-ins"), default=False, scope=Scope.settings,
                             help=_("Credit per check-in up to the expected number. Otherwise completion only. "
                                    "A graded subsection does not turn this on."))
    weight = Float(display_name=_("Problem weight"), default=1.0, scope=Scope.settings,
                   values={"min": 0, "step": 0.1}, help=_("Points for all expected check-ins, when graded."))
    self_assessment = BlockReference(display_name=_("Linked self-assessment"), scope=Scope.settings,
                                     help=REFERENCE_HELP)
    skill_check = BlockReference(display_name=_("Linked skill check"), scope=Scope.settings, help=REFERENCE_HELP)
    mastery_gate = BlockReference(display_name=_("Linked mastery gate"), scope=Scope.settings, help=REFERENCE_HELP)

    learner_state = Dict(scope=Scope.user_state, help="Goals, check-ins and the timeline (versioned shape).")
    class_counts = Dict(scope=Scope.user_state_summary, shape=core.COUNTS_SHAPE,
                        help="Anonymous counts: learners with goals, check-ins.")

    # The gate itself is not preloaded: the blocks it reads are (see declared_blocks).
    links = {"self_assessment": Link("self_assessment", reads="learner_ratings"),
             "skill_check": Link("skill_check", reads="skill_results"),
             "mastery_gate": Link("mastery_gate", reads="is_unlocked", preload=False)}
    renamed_fields = {"graded": "grade_checkins"}

    editable_fields = ("display_name", "instructions", "long_term_prompt", "short_term_prompts", "show_smart",
                       "show_woop", "show_if_then", "checkin_count", "checkin_interval_days", "helped_prompt",
                       "obstacles_prompt", "next_step_prompt", "min_chars", "max_chars", "grade_checkins", "weight",
                       "self_assessment", "skill_check", "mastery_gate")

    @property
    def has_score(self):
        return bool(self.setting("grade_checkins") and self.weight > 0)

    @property
    def config(self):
        prompts = self.short_term_prompts if isinstance(self.short_term_prompts, list) else []
        prompts = tuple(prompt for prompt in prompts if isinstance(prompt, str))[:core.MAX_SHORT_TERM]
        return core.Config(long_term_prompt=self.long_term_prompt, short_term_prompts=prompts,
                           min_chars=self.min_chars, max_chars=self.max_chars, show_smart=self.show_smart,
                           show_woop=self.show_woop, show_if_then=self.show_if_then)

    def state(self):
        return self.read_state(core.STATE_SHAPE, self.learner_state)

    # --- views -------------------------------------------------------------------------------

    @XBlock.supports("multi_device")  # checked at 375 px in the browser tests, data in student_view_data
    def student_view(self, context=None):  # pylint: disable=unused-argument
        html = self.render_template(self.view_context(self.state()))
        return self.build_fragment(html, {"messages": self.js_messages(
            saved_goals=N_("Your goals are saved."),
            saved_checkin=N_("Your check-in is saved."),
            restored=N_("Unsaved text from before was put back in the form. Save it when you are ready."),
            reloaded=N_("The latest version is loaded, and your unsaved text is back in the form. "
                        "Check it and save again."),
        )})

    def goal_label(self, goal_id):
        if goal_id == core.LONG:
            return self.translated_once("long_label", lambda: self._("Long-term goal"))
        return self.translated_once(("short_label", goal_id), lambda: self._("Short-term goal %(number)s") % {
            "number": goal_id.split("-", 1)[-1]})

    def smart_items(self):
        """The SMART checks, each with its name and hint, in the reader's language."""
        return self.translated_once("smart", lambda: [
            {"letter": letter, "name": self._(name), "hint": self._(hint)} for letter, name, hint in core.SMART])

    def length_hint(self):
        """The hint under every goal and reflection field, "From N to M characters."."""
        minimum, maximum = self.min_chars, self.max_chars
        return self.translated_once(("length_hint", minimum, maximum), lambda: self._(
            "From %(minimum)s to %(maximum)s characters.") % {"minimum": minimum, "maximum": maximum})

    def view_context(self, state):
        config = self.config
        today = self.today()
        goals, labels = state["goals"], {goal_id: self.goal_label(goal_id) for goal_id in config.goal_ids}
        slots = [{"id": goal_id, "prompt": prompt, "label": labels[goal_id], "goal": goals.get(goal_id, UNSET_GOAL),
                  "target": _date(goals.get(goal_id, {}).get("target"))}
                 for goal_id, prompt, _long in config.slots]
        smart = self.smart_items()
        current = [dict(slot, set_at=parse_iso(slot["goal"].get("set_at")),
                        updated_at=parse_iso(slot["goal"].get("updated_at")),
                        smart_names=[item["name"] for item in smart if item["letter"] in slot["goal"].get("smart", [])])
                   for slot in slots if slot["id"] in goals]
        progress = self.translated_once("progress", lambda: [
            {"value": str(value), "label": self._(label)} for value, label in enumerate(core.PROGRESS)])
        prompts = {"helped": self.helped_prompt, "obstacles": self.obstacles_prompt,
                   "next_step": self.next_step_prompt}
        plan_fields = [{"key": key, "prompt": self._(prompt), "value": state["plan"].get(key, "")}
                       for key, prompt in core.WOOP + core.IF_THEN if key in config.plan_keys]
        last = core.last_checkin(state)
        return {
            "title": self.display_name, "instructions": self.instructions,
            "revision": state["revision"], "has_goals": bool(goals),
            "draft_key": f"pp-goal-reflection:{self.scope_ids.usage_id}:{self.scope_ids.user_id}",
            "slots": slots, "current": current, "plan_fields": plan_fields,
            "plan_saved": [field for field in plan_fields if field["value"]],
            "show_smart": self.show_smart, "show_woop": self.show_woop, "show_if_then": self.show_if_then,
            "smart": smart,
            "progress_scale": progress, "prompts": prompts,
            "reflections": [{"key": key, "prompt": prompts[key]} for key in core.REFLECTION_KEYS],
            "last_checkin": self.timeline_entry(last, labels, progress) if last else None,
            "checkins": state["checkins"], "checkin_count": self.checkin_count,
            "next_due": core.next_checkin_due(state, self.checkin_interval_days, self.time_zone),
            "timeline": [self.timeline_entry(entry, labels, progress) for entry in reversed(state["timeline"])],
            "dropped": max(0, state["saves"] + state["checkins"] - len(state["timeline"])),
            "maxlength": str(self.max_chars), "plan_hint": self.at_most_text(self.max_chars),
            "length_hint": self.length_hint(),
            "date_min": (today - timedelta(days=1)).isoformat(), "date_max": core.latest_target(today).isoformat(),
            "recap": self.recap(), "is_staff": self.is_staff(), "class_counts": self.class_counts or {},
        }

    def timeline_entry(self, entry, labels, progress):
        row = dict(entry, at=parse_iso(entry.get("at")))
        if entry["kind"] == "goals":
            row["goal_rows"] = [dict(goal, label=labels.get(goal_id, goal_id), target=_date(goal.get("target")))
                                for goal_id, goal in entry.get("goals", {}).items()]
            row["plan_rows"] = [{"prompt": self._(prompt), "value": entry["plan"].get(key, "")}
                                for key, prompt in core.WOOP + core.IF_THEN if entry.get("plan", {}).get(key)]
        else:
            row["progress_rows"] = [{"label": labels.get(goal_id, goal_id), "value": value,
                                     "text": progress[value]["label"] if 0 <= value < len(progress) else value}
                                    for goal_id, value in entry.get("progress", {}).items()]
        return row

    def student_view_data(self, context=None):  # pylint: disable=unused-argument
        """Configuration only, identical for every user (the mobile apps cache it)."""
        return {
            "title": self.display_name, "instructions": self.instructions,
            "goals": [{"id": goal_id, "prompt": prompt, "long_term": long_term}
                      for goal_id, prompt, long_term in self.config.slots],
            "smart": [{"letter": letter, "name": name, "hint": hint} for letter, name, hint in core.SMART]
            if self.show_smart else [],
            "plan_fields": self.config.plan_keys, "progress_scale": list(core.PROGRESS),
            "checkin_prompts": {"helped": self.helped_prompt, "obstacles": self.obstacles_prompt,
                                "next_step": self.next_step_prompt},
            "checkin_count": self.checkin_count, "checkin_interval_days": self.checkin_interval_days,
            "min_chars": self.min_chars, "max_chars": self.max_chars, "max_years_ahead": core.MAX_YEARS_AHEAD,
            "graded": self.has_score,
        }

    # --- linked blocks -------------------------------------------------------------------------

    def declared_blocks(self):
        """
        The linked self-assessment and skill check, and the blocks the linked gate reads: whether it
        is open depends on their learner state, not on the gate's own. Goal reflections the gate names
        are left out: the gate names them for their own state, and one of them may be this block.
        """
        blocks = super().declared_blocks()
        gate = self.linked(self.mastery_gate, AUTHORED, "is_unlocked")
        if gate is not None:
            seen = {str(block.scope_ids.usage_id) for block in blocks} | {str(self.scope_ids.usage_id)}
            blocks += [block for block in gate.declared_blocks()
                       if not hasattr(block, "has_goals_set") and str(block.scope_ids.usage_id) not in seen]
        return blocks

    def recap(self):
        """What the linked blocks know about this learner; parts that fail are left out."""
        recap = {}
        source = self.linked_by("self_assessment")
        if source is not None:
            recap["ratings"] = _safely(lambda: [
                {"text": row["statement"]["text"], "level": row["level"], "out_of": row["out_of"],
                 "label": row.get("label") or ""}
                for row in source.learner_ratings()], source)
            recap["ratings_title"] = source.display_name
        check = self.linked_by("skill_check")
        if check is not None:
            results = _safely(check.skill_results, check) or {}
            recap["skills"] = [{"skill": skill, "correct": row["correct"], "total": row["total"]}
                               for skill, row in sorted(results.items()) if isinstance(row, dict)]
            recap["percent"] = percent_text(_safely(check.percent, check)) if results else ""
        gate = self.linked_by("mastery_gate")
        if gate is not None:
            unlocked = _safely(gate.is_unlocked, gate)
            if isinstance(unlocked, bool):
                recap["gate"] = {"unlocked": unlocked, "title": gate.display_name}
        return recap if any(recap.get(key) for key in ("ratings", "skills", "gate")) else None

    # --- course staff ------------------------------------------------------------------------------

    # --- handlers ----------------------------------------------------------------------------

    def count_goals(self, state, new_state):
        """Bring the class counts in line with this learner's new state."""
        self.count_in_class("class_counts", core.class_contribution(state), core.class_contribution(new_state),
                            core.update_counts)

    def class_count_rules(self):
        """The class counts, from each learner's stored state (for the recount)."""
        return {"class_counts": (lambda stored: core.class_contribution(
            self.read_state(core.STATE_SHAPE, stored.get("learner_state"))), core.update_counts)}

    @json_api
    def save_goals(self, data, suffix=""):  # pylint: disable=unused-argument
        """Set or revise the goals (and the optional plan); answer with the new view."""
        state = self.state()
        revision, goals, plan = core.parse_goals(data, self.config, state, self.today())
        self.check_revision(state, revision)
        new_state, kind, changed = core.record_goals(state, goals, plan, self.now_text())
        self.learner_state = new_state
        self.publish("goals_set" if kind == "set" else "goals_revised", {
            "goals": changed, "target_dates": {goal_id: goals[goal_id]["target"] for goal_id in changed},
            "smart": {goal_id: goals[goal_id]["smart"] for goal_id in changed},
            "revision": new_state["revision"], "saves": new_state["saves"]})
        self.count_goals(state, new_state)
        if kind == "set":
            self.emit_completion(1.0)
        # The form holds exactly what the learner typed, which is now what is stored: later saves
        # leave it alone, and the first sends only its new frame ("revise your goals"), the page
        # keeping its fields.
        if kind == "set":
            return self.changed_parts(new_state, "current", "checkin", "goals", "timeline", keep_goal_fields=True)
        return self.changed_parts(new_state, "current", "checkin", "timeline")

    @json_api
    def check_in(self, data, suffix=""):  # pylint: disable=unused-argument
        """Record a dated check-in on every goal; answer with the new view."""
        state = self.state()
        revision, checkin = core.parse_checkin(data, self.config, state)
        self.check_revision(state, revision)
        new_state = core.record_checkin(state, checkin, self.now_text())
        self.learner_state = new_state
        self.count_goals(state, new_state)
        self.publish("checked_in", {"progress": checkin["progress"], "checkin": new_state["checkins"],
                                    "revision": new_state["revision"]})
        if self.has_score and state["checkins"] < max(1, self.checkin_count):
            self._publish_grade(self.get_score(new_state))
        return self.changed_parts(new_state, "current", "checkin", "timeline")

    def changed_parts(self, new_state, *names, **extra):
        """A save's answer: the parts of the view it changed (the class counts too, for staff)."""
        context = dict(self.view_context(new_state), **extra)
        names += ("counts",) if context["is_staff"] else ()
        return {"parts": self.render_parts(context, *names), "revision": new_state["revision"]}

    @json_api
    def refresh(self, data, suffix=""):  # pylint: disable=unused-argument
        """The latest view, for a page whose save met a conflict."""
        state = self.state()
        return {"html": self.render_template(self.view_context(state)), "revision": state["revision"]}

    # --- for other blocks --------------------------------------------------------------------

    def has_goals_set(self):
        """Whether this learner has saved goals here (a mastery gate may require it)."""
        return bool(self.state()["goals"])

    def summarize_state(self, state):
        """For the learning plan: a learner's stored state (all user-state fields) in plain terms."""
        stored = self.read_state(core.STATE_SHAPE, state.get("learner_state"))
        due = core.next_checkin_due(stored, self.checkin_interval_days, self.time_zone)
        return {"goals_set": bool(stored["goals"]), "goals": len(stored["goals"]), "checkins": stored["checkins"],
                "next_checkin_due": due.isoformat() if due else None}

    # --- scoring (only when graded) ------------------------------------------------------------

    def has_submitted_answer(self):
        return self.state()["checkins"] > 0

    def get_score(self, state=None):
        earned, possible = core.credit(state or self.state(), self.checkin_count)
        return Score(float(earned), float(possible))

    def set_score(self, score):
        """Credit is derived from the learner's check-ins, so there is nothing else to store."""

    def calculate_score(self):
        return self.get_score()

    def max_score(self):
        return float(max(1, self.checkin_count))

    # --- Studio ------------------------------------------------------------------------------

    def studio_problems(self, data):
        problems = core.validate_config(
            long_term_prompt=data.long_term_prompt, short_term_prompts=data.short_term_prompts,
            min_chars=data.min_chars, max_chars=data.max_chars, checkin_count=data.checkin_count,
            checkin_interval_days=data.checkin_interval_days, grade_checkins=data.grade_checkins, weight=data.weight)
        for prompt_field in ("helped_prompt", "obstacles_prompt", "next_step_prompt"):
            if not str(getattr(data, prompt_field) or "").strip():
                problems.append(PayloadError(prompt_field, N_("Write a prompt for this question.")))
        return problems + self.link_problems(data)

    def editor_specs(self):
        return {
            "short_term_prompts": rows_spec(
                [column("value", self._("Prompt"), "textarea")], self._("Add a short-term goal"),
                self._("Short-term goal %(n)s"), flat=True),
        }

    # --- reports -----------------------------------------------------------------------------

    def generate_report_data(self, user_state_iterator, limit_responses=None):
        """One row per timeline entry: username, goals with target dates, check-ins, and dates."""
        count = 0
        for user_state in user_state_iterator:
            state = self.read_state(core.STATE_SHAPE, user_state.state.get("learner_state"))
            for entry in state["timeline"]:
                if limit_responses is not None and count >= limit_responses:
                    return
                count += 1
                yield user_state.username, {
                    "entry": entry["kind"] if entry["kind"] == "checkin" else f"goals {entry.get('change', 'set')}",
                    "number": entry.get("number"), "at": entry["at"],
                    "goals": "; ".join(f"{goal_id}: {goal['text']} (target {goal['target']})"
                                       for goal_id, goal in entry.get("goals", {}).items()),
                    "progress": "; ".join(f"{goal_id}={value}" for goal_id, value in entry.get("progress", {}).items()),
                    "helped": entry.get("helped", ""), "obstacles": entry.get("obstacles", ""),
                    "next_step": entry.get("next_step", ""),
                }


def _date(value):
    try:
        return date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def _safely(read, block):
    """Call another block's reader; an error there is logged and shows nothing."""
    try:
        return read()
    except Exception as error:  # pylint: disable=broad-except
        # Another block's bug must not break this one.
        log.warning("Could not read linked %s: %s", block.scope_ids.usage_id, error)
        return None
