"""
Skills from the platform's taxonomies, for every block's editor and for the learning plan.

Where the platform has its tagging app (the plugin then sets ``PERSONALIZED_PATH_SKILL_TAGS``),
the taxonomies a course may use are skill frameworks: their tags are skills (slug, label, parent),
the editors offer them, and each Studio save mirrors the block's skills as its content tags. The
block's own fields stay the one source of truth for which skills it uses (Studio's tag drawer
edits them through the tag-change event: openedx/tag_sync.py). Without the app, skills are plain
slugs, as before.
"""
import logging

from xblock.core import XBlockMixin
from xblock.fields import Scope

from .core import N_
from .core import skills as core
from .fields import Integer, String
from .platform_glue import SKILL_TAGS_SETTING, platform_function

log = logging.getLogger(__name__)
_ = N_


class SkillFrameworkMixin:
    """The course's skill frameworks (empty without the platform's tagging), read once per request."""

    def skill_tags(self):
        """The platform's skills glue for this block's course, or None where there is none."""
        try:
            make = platform_function(SKILL_TAGS_SETTING)
        except ImportError:
            log.warning("The skills glue named by %s cannot be imported", SKILL_TAGS_SETTING, exc_info=True)
            return None
        if make is None:
            return None
        usage = self.scope_ids.usage_id
        return make(getattr(usage, "context_key", None) or getattr(usage, "course_key", None) or "")

    def framework_tags(self):
        """The tags of the course's taxonomies (``{"id", "value", "parent_id", "taxonomy"}``); [] without."""
        cached = getattr(self, "_framework_tags", None)
        if cached is None:
            glue = self.skill_tags()
            try:
                cached = glue.framework_tags() if glue else []
            except Exception:  # pylint: disable=broad-except
                log.warning("The course's skill taxonomies cannot be read", exc_info=True)
                cached = []
            self._framework_tags = cached
        return cached

    def skill_framework(self):
        """``{slug: core.Skill}`` over the course's taxonomies; {} without tagging."""
        cached = getattr(self, "_skill_framework", None)
        if cached is None:
            cached = self._skill_framework = core.framework(self.framework_tags())
        return cached

    def skill_label(self, slug):
        """What learners read for a skill: its framework label, else the slug as typed."""
        skill = self.skill_framework().get(slug) if isinstance(slug, str) else None
        return skill.label if skill else slug

    def measured_children(self, slug, measured):
        """The framework children of skill ``slug`` among the skills in ``measured``, in framework order."""
        return [kid for kid in core.children(self.skill_framework()).get(slug, ()) if kid in measured]

    def framework_options(self):
        """The editors' skill options: slug, label, the path of labels from the top, and the taxonomy."""
        framework = self.skill_framework()
        taxonomy = {core.tag_slug(tag["id"], tag["value"]): tag["taxonomy"] for tag in self.framework_tags()}
        options = []
        for slug, skill in framework.items():
            path, parent, seen = [skill.label], skill.parent, {slug}
            while parent in framework and parent not in seen:
                seen.add(parent)
                path.insert(0, framework[parent].label)
                parent = framework[parent].parent
            options.append({"slug": slug, "label": skill.label, "path": path, "taxonomy": taxonomy.get(slug, "")})
        return options

    def mirror_skill_tags(self, previous):
        """After a Studio save: the block's skills (``skills_used``) as its content tags; ``previous`` before it."""
        glue = self.skill_tags()
        if glue is None or not hasattr(self, "skills_used"):
            return
        try:
            usage = self.scope_ids.usage_id
            # Content tags name a block by its usage key without Studio's branch or version.
            usage = usage.version_agnostic() if hasattr(usage, "version_agnostic") else usage
            glue.tag_block(str(usage), sorted(self.skills_used()), sorted(previous))
        except Exception:  # pylint: disable=broad-except
            # The settings are saved; tags are a mirror the next save writes again.
            log.warning("The skills of %s could not be written as content tags", self.scope_ids.usage_id,
                        exc_info=True)


class PlanSkillsMixin(XBlockMixin):
    """The learning plan's skills under the framework's labels, each framework parent rolled up."""

    parent_skill_rule = String(
        display_name=_("When a parent skill counts as mastered"), default=core.ALL_CHILDREN, scope=Scope.settings,
        values=[{"display_name": _("When all its skills in this course are mastered"), "value": core.ALL_CHILDREN},
                {"display_name": _("When at least some of its skills are mastered"), "value": core.AT_LEAST}],
        help=_("For skill frameworks with a hierarchy: how the plan shows a parent skill's mastery from its "
               "children's."),
    )
    parent_skill_at_least = Integer(
        display_name=_("How many child skills are enough"), default=1, scope=Scope.settings,
        values={"min": 1, "max": 50}, help=_("Used when “at least some” is chosen."),
    )

    def rollup_rule(self):
        rule = {"rule": self.parent_skill_rule, "n": self.parent_skill_at_least} \
            if self.parent_skill_rule == core.AT_LEAST else {"rule": self.parent_skill_rule}
        return rule if core.valid_rollup(rule) else core.DEFAULT_ROLLUP

    def framework_rows(self, rows):
        """The plan's skill rows with the framework's parents rolled up and each row's ``label``."""
        framework = self.skill_framework()
        shown = core.rolled_up(rows, framework, self.rollup_rule()) if framework else rows

        def label(slug):
            return framework[slug].label if slug in framework else slug
        return [dict(row, label=label(row["skill"]), from_skills=[label(kid) for kid in row.get("children", ())])
                for row in shown]
