"""
The mastery gate for its authors: the children it may hold, its settings' problems, the editor's
rows for them, and the staff preview of the rule. Links are checked through the gate's own
``_source_status`` and ``unmeasured_skills``.
"""
from html import unescape

from django.utils.html import strip_tags
from xblock.utils.studio_editable import NestedXBlockSpec

from .core import N_
from .core import gate as core
from .core import mastery
from .core import preview
from .core.payload import PayloadError, as_list, as_object, only_keys
from .links import AUTHORED
from .studio import column, rows_spec, skills_in

# How much of a child's text names it in the editor when it has no display name of its own.
CHILD_NAME_CHARS = 60
_ = N_  # field labels are marked here and translated when Studio shows them


class GateStudioMixin:
    """What authors use of a mastery gate; it comes before ``StudioEditorMixin`` in the gate's bases."""

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
                [column("source", self._("Scored block"), "reference", accepts=[self.links["sources"].kind],
                        optional=False),
                 number("threshold", self._("Score needed in percent (optional: the threshold below)"),
                        optional=True, **percent)],
                self._("Add a score source"), self._("Source %(n)s"), errors_from={"source_thresholds": "threshold"}),
            "skill_checks": self.skill_checks_spec(),
            "skills": rows_spec([column("skill", self._("Skill"), "skill"),
                                 number("threshold", self._("Mastery needed in percent"), **percent)],
                                self._("Add a skill condition"), self._("Skill condition %(n)s")),
            "estimator_params": {"kind": "params", "by": "estimator", "params": params,
                                 "none_label": self._("This estimator has no settings.")},
            "self_assessment_skill": {"kind": "skill"},
            "routes": rows_spec([column("label", self._("Name learners see")),
                                 number("min", self._("From score (percent)"), **percent),
                                 number("max", self._("Up to score (percent)"), **percent),
                                 column("id", self._("Id"), "id", prefix="route")],
                                self._("Add a route"), self._("Route %(n)s")),
            "child_routes": {"kind": "assign", "children": self.child_choices(), "options_from": "routes"},
        }

    def child_choices(self):
        """The gate's children as the route editor lists them: key and the name authors know them by."""
        return [{"key": self.child_key(child_id), "label": self._("Child %(n)s: %(name)s") % {
                 "n": number, "name": self._child_name(child_id, with_text=True)}}
                for number, child_id in enumerate(self.children, start=1)]

    def skills_used(self):
        """The skills the gate's conditions name (its content tags mirror them)."""
        named = skills_in(self.skills, "skill")
        extra = self.self_assessment_skill
        return sorted({*named, extra}) if isinstance(extra, str) and extra else named

    def drop_skills(self, slugs):
        """
        A condition on a removed skill goes (a threshold without its skill means nothing), as does the
        self-assessment skill when it is one of them; True when a field changed.
        """
        conditions = self.skills if isinstance(self.skills, list) else []
        kept = [item for item in conditions if not (isinstance(item, dict) and item.get("skill") in slugs)]
        changed = len(kept) != len(conditions)
        if changed:
            self.skills = kept
        if self.self_assessment_skill in slugs:
            self.self_assessment_skill = ""
            changed = True
        return changed

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

    # --- the staff preview: the rule applied to values staff choose --------------------------------

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
            child_routes = self.child_routes
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
