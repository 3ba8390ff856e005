"""
Studio editors for every block: ``studio_view`` is a form that one shared script
(``static/js/studio_editor.js``) builds from the block's editor spec, and the save handler
(``submit_studio_edits``, the name Studio's editors post to) validates with the block's own
``studio_problems`` and answers 400 with one translated sentence per field.

Blocks say only what differs from a plain field: ``editor_specs()`` maps a field name to its
kind (rows of columns, a block picker, a skill, ...), and ``editor_to_fields`` turns what the
form sends back into field values when the two differ (the gate's sources and thresholds).
"""
import functools
import logging

from django.utils.html import format_html
from web_fragments.fragment import Fragment
from xblock.fields import Boolean, Float, Integer, Reference, ReferenceList, String
from xblock.utils.studio_editable import FutureFields, StudioEditableXBlockMixin
from xblock.validation import ValidationMessage

from .core import N_
from .core.payload import PayloadError, as_bool, as_list, as_object, as_setting_number, only_keys, require, top_field
from .course_walk import COURSE_WALK_LIMIT, CourseWalk, children_of
from .handlers import STAFF_ONLY, STUDIO_SAVE_TYPES, error_response, json_api
from .links import AUTHORED, KINDS, LINK_OK, MISSING, as_usage_key
from .presentation import STUDIO_ASSETS
from .skill_framework import SkillFrameworkMixin

log = logging.getLogger(__name__)

TYPE_MESSAGES = {
    Integer: N_("Enter a whole number."),
    Float: N_("Enter a number."),
    Boolean: N_("Expected true or false."),
    String: N_("Expected text."),
}


class StudioEditorMixin(SkillFrameworkMixin, StudioEditableXBlockMixin):
    """The Studio editor, its save handler and the course catalogue its pickers list."""

    # Options the form offers besides the fields, sent next to "values" (name -> bool).
    editor_actions = ()
    # Editable fields the form shows as part of another field (the gate's per-source thresholds).
    editor_hidden = ()
    # Sections of the editor that fold: (N_ label, field names); fields in none stay at the top.
    editor_sections = ()

    # --- what blocks override --------------------------------------------------------------

    def studio_problems(self, data):  # pylint: disable=unused-argument
        """Every problem with the settings in ``data`` (the block or a preview), as PayloadErrors."""
        return []

    def editor_specs(self):
        """Field name -> the parts of its editor spec that differ from a plain field."""
        return {}

    def editor_value(self, name):
        """A field's value as the form shows it."""
        field = self.fields[name]
        value = self.setting(name)
        if isinstance(field, ReferenceList):
            return [str(item) for item in value or ()]
        if isinstance(field, Reference):
            return str(value) if value else None
        return field.to_json(value)

    def editor_to_fields(self, values):
        """The form's values as field values (the same, unless the block shows a field differently)."""
        return values

    def skill_checks_spec(self):
        """A picker for a list of skill checks (a gate's evidence, a re-check's or a board's placement checks)."""
        return {"add_label": self._("Add a skill check"), "item_label": self._("Skill check %(n)s"),
                "item_name": self._("Skill check")}

    # The authored lists that name skills, as (field, key of each item): a question's or statement's
    # "skill" (one id), a tile's "skills" (a list of ids).
    skill_lists = ()

    def skills_used(self):
        """Skill ids this block's content is tagged with (statements, questions, tiles)."""
        return sorted({skill for name, key in self.skill_lists for skill in skills_in(getattr(self, name), key)})

    def drop_skills(self, slugs):
        """
        Take skills ``slugs`` out wherever the author chose them (their tags were removed in Studio's
        tag drawer); True when a field changed. An item whose only skill it was keeps none, so the
        block's validation names it until the author picks another.
        """
        changed = False
        for name, key in self.skill_lists:
            items = getattr(self, name)
            kept = without_skills(items, key, set(slugs))
            if kept != items:
                setattr(self, name, kept)
                changed = True
        return changed

    # --- validation (Studio's own validation messages use the same problems) -------------------

    def validate_field_data(self, validation, data):
        self.add_setting_problems(validation, self.studio_problems(data))

    def add_setting_problems(self, validation, problems):
        """Add PayloadErrors about settings to ``validation``, each naming its setting as Studio shows it."""
        for problem in problems:
            message = problem.sentence(self._, self.ngettext)
            name = top_field(problem.field)
            if name in self.fields:
                where = f" ({problem.field})" if problem.field != name else ""
                message = f"{self.setting_label(name)}{where}: {message}"
            validation.add(ValidationMessage(ValidationMessage.ERROR, message))

    def setting_label(self, name):
        """A setting as authors see it in Studio: its translated name, in quotes."""
        label = getattr(self.fields.get(name), "display_name", None) or name
        return "\u201c" + self._(label) + "\u201d"

    def problem_entry(self, problem):
        """A PayloadError as the editor shows it: the field it names and a sentence."""
        return {"field": problem.field, "message": problem.sentence(self._, self.ngettext)}

    # --- the editor ------------------------------------------------------------------------------

    def studio_view(self, context=None):
        """The settings editor, which shows every setting (a skill check's answer key too): course team only."""
        if not self.can_edit_settings():
            return Fragment(format_html('<p class="pp-refused">{}</p>', self._(STAFF_ONLY)))
        # The spec holds author text: it travels through json_script (which escapes <, > and &),
        # not through init args, which runtimes write into a script element unescaped.
        spec = {
            "fields": [self.field_spec(name) for name in self.editable_fields if name not in self.editor_hidden],
            "sections": [{"label": self._(label), "fields": list(names)} for label, names in self.editor_sections],
            "actions": [dict(action, label=self._(action["label"]), help=self._(action.get("help", "")))
                        for action in self.editor_actions],
            "messages": self.editor_messages(),
        }
        html = self.render_template({"title": self.display_name, "spec": spec}, template="studio_editor.html")
        return self.add_resources(Fragment(html), STUDIO_ASSETS, ("PersonalizedStudioEditor",))

    def field_spec(self, name):
        """One field's editor: label, help, value and kind (inferred from the field unless overridden)."""
        field = self.fields[name]
        spec = {"name": name, "label": self._(field.display_name), "value": self.editor_value(name),
                "help": self._(field.help) if field.help else "", "kind": "text"}
        values = field.values
        if isinstance(values, list):
            spec.update(kind="select", options=[
                {"value": option["value"], "label": self._(option["display_name"])} if isinstance(option, dict)
                else {"value": option, "label": str(option)} for option in values])
        elif isinstance(field, Boolean):
            spec["kind"] = "checkbox"
        elif isinstance(field, (Integer, Float)):
            spec.update(kind="number", integer=isinstance(field, Integer), **(values or {}))
        elif isinstance(field, String) and field.runtime_options.get("multiline_editor"):
            spec["kind"] = "textarea"
        if name in self.links:  # a block picker offering the blocks of the kind the link needs
            spec.update(reference_spec([self.links[name].kind], many=isinstance(field, ReferenceList)))
        spec.update(self.editor_specs().get(name, {}))
        return spec

    def editor_messages(self):
        return {
            "saving": self._("Saving…"),
            "not_saved": self._("The settings were not saved: each problem is shown next to its field."),
            "network_error": self._("The server could not be reached. Your changes are still here; try again."),
            "server_error": self._("Something went wrong on the server. Your changes are still here; try again."),
            "remove": self._("Remove"),
            "move_up": self._("Move up"),
            "move_down": self._("Move down"),
            "none": self._("None"),
            "loading": self._("Loading the course's blocks…"),
            "catalog_failed": self._("The course's blocks could not be listed. Reload the editor to try again."),
            "catalog_truncated": self._("Only the first %(count)s blocks of the course are listed."),
            "not_found": self._("Not found in this course: %(id)s"),
            "block_id": self._("Id for OLX: %(id)s"),
            "new_skill": self._("New skill: no block of this course uses it yet."),
            "known_skill": self._("Used in this course."),
            "framework_skill": self._("From the skill framework “%(taxonomy)s”: %(path)s"),
            "known_topic": self._("Interest topic “%(label)s” of this course's learning plan."),
            "new_topic": self._("No learning plan of this course offers this topic."),
            "everyone": self._("Everyone"),
            "no_rows": self._("None yet."),
            "empty_cell": self._("Empty cell"),
        }

    # --- saving ------------------------------------------------------------------------------------

    @json_api(staff_only=True, content_types=STUDIO_SAVE_TYPES)  # xblock.utils' editor posts as a form
    def submit_studio_edits(self, data, suffix=""):
        """
        Save the editor's values after checking them all: 403 for anyone but course staff (before
        reading the body), 400 with every problem ({"errors": [{"field", "message"}]}) and nothing
        written, otherwise every value written at once.
        """
        try:
            only_keys(data, ("values", "defaults") + tuple(action["name"] for action in self.editor_actions))
            values = as_object(require(data, "values"), "values")
            defaults = as_list(data.get("defaults", []), "defaults")
            actions = {action["name"]: as_bool(data.get(action["name"], False), action["name"])
                       for action in self.editor_actions}
            unknown = [name for name in list(values) + defaults if name not in self.editable_fields]
            if unknown:
                raise PayloadError(str(unknown[0])[:80], N_("This field cannot be edited here."))
            new_values, problems = self.typed_values(self.editor_to_fields(values))
        except PayloadError as error:
            return self.refusal([error])
        preview = FutureFields(new_fields_dict=new_values, newly_removed_fields=defaults, fallback_obj=self)
        problems += self.studio_problems(preview) if not problems else []
        if problems:
            return self.refusal(problems)
        previous_skills = self.skills_used()
        for name, value in new_values.items():
            setattr(self, name, value)
        for name in defaults:
            self.fields[name].delete_from(self)
        self.after_studio_save(actions)
        self.mirror_skill_tags(previous_skills)
        return {"result": "success"}

    def typed_values(self, values):
        """Each value read by its field, references as keys; problems for values of the wrong type."""
        typed, problems = {}, []
        for name, value in values.items():
            field = self.fields[name]
            try:
                if isinstance(field, ReferenceList):
                    typed[name] = [as_usage_key(item) for item in as_list(value, name)
                                   if self._reference_text(item, name)]
                elif isinstance(field, Reference):
                    typed[name] = None if value in (None, "") else as_usage_key(self._reference_text(value, name))
                elif isinstance(field, (Integer, Float)) and not (value is None and field.default is None):
                    bounds = field.values if isinstance(field.values, dict) else {}
                    typed[name] = as_setting_number(value, name, whole=isinstance(field, Integer),
                                                    minimum=bounds.get("min"), maximum=bounds.get("max"))
                else:
                    typed[name] = field.from_json(value)
                    if typed[name] is None and field.default is not None:
                        raise ValueError("empty")
                    if getattr(field, "translated_default", False):
                        # The form showed the default's texts translated: kept unchanged, they stay the default.
                        typed[name] = field.as_authored(self, typed[name])
            except PayloadError as error:
                problems.append(error)
            except (TypeError, ValueError):
                message = next((text for kind, text in TYPE_MESSAGES.items() if isinstance(field, kind)),
                               N_("This value has the wrong type."))
                problems.append(PayloadError(name, message))
        return typed, problems

    @staticmethod
    def _reference_text(value, name):
        if not isinstance(value, str) or not value.strip():
            raise PayloadError(name, N_("Pick a block from the list."))
        return value

    def refusal(self, problems):
        entries = [self.problem_entry(problem) for problem in problems]
        # The summary names each setting as Studio labels it; the editor places each entry by its field.
        summary = [f"{self.setting_label(name)}: {entry['message']}" if name in self.fields else entry["message"]
                   for name, entry in ((top_field(entry["field"]), entry) for entry in entries)]
        return error_response(" ".join(summary), 400, entries[0]["field"], errors=entries)

    def after_studio_save(self, actions):
        """Act on the editor's extra options once the values are written (nothing by default)."""

    def link_problems(self, data):
        """
        Problems with the links in ``data`` (see ``links``): a block that is missing or of the wrong
        kind, named by the field (and its place in a list).
        """
        problems = []
        for field_name, place, ref in self.link_refs(data):
            status = self.link_status(field_name, ref)
            if status == MISSING:
                problems.append(PayloadError(place, N_("The linked block %(id)s does not exist in this course."),
                                             id=str(ref)))
            elif status != LINK_OK:
                block = self.linked(ref, AUTHORED)
                problems.append(PayloadError(place, N_("“%(name)s” is not a block of the kind this link needs."),
                                             name=getattr(block, "display_name", None) or str(ref)))
        return problems

    # --- the course catalogue for the pickers ------------------------------------------------------

    @json_api(staff_only=True)
    def editor_catalog(self, data, suffix=""):  # pylint: disable=unused-argument
        """
        The course's other blocks (name, place, id, what they can do), the skills they use and the
        interest topics its learning plans offer. Staff only.
        """
        only_keys(data, ())
        blocks, skills, truncated = self.catalog_blocks()
        topics = {}
        for block in blocks:
            for topic in block.pop("topics"):
                topics.setdefault(topic["id"], topic["label"])
        return {"blocks": blocks, "skills": sorted(skills.union(self.skills_used())), "truncated": truncated,
                "topics": [{"id": topic_id, "label": label} for topic_id, label in topics.items()],
                "framework": self.framework_options(), "limit": COURSE_WALK_LIMIT}

    def catalog_blocks(self, limit=COURSE_WALK_LIMIT):
        """
        The course's blocks that another block could link to, in course order, at most ``limit``
        visited; this block and its own content are left out. Each block's place is the names of its
        ancestors below the top of the course (section / subsection / unit). Also every skill the
        visited blocks use.
        """
        found, skills = [], set()
        walk = CourseWalk(children_of(self.course_root()), functools.partial(self.linked, view=AUTHORED),
                          skip=[self.scope_ids.usage_id], limit=limit)
        for _usage_id, block, ancestors in walk:
            if block is None:
                continue
            entry = self.catalog_entry(block, [block_label(ancestor) for ancestor in ancestors])
            skills.update(entry.pop("skills"))
            if entry["can"]:
                found.append(entry)
        return found, skills, walk.truncated

    def catalog_entry(self, block, place):
        skills = self._safely(block.skills_used) if hasattr(block, "skills_used") else None
        topics = self._safely(block.usable_topics) if hasattr(block, "usable_topics") else None
        return {
            "id": str(block.scope_ids.usage_id),
            "name": block_label(block),
            "type": block.scope_ids.block_type,
            "place": list(place),
            "can": [name for name, test in KINDS.items() if self._safely(lambda test=test: test(block))],
            "skills": [skill for skill in skills or () if isinstance(skill, str)],
            "topics": [{"id": topic["id"], "label": topic["label"]} for topic in topics or ()],
        }

    def _safely(self, read):
        """A read of another block that may fail (deleted, unreadable): None then, never a 500."""
        try:
            return read()
        except Exception:  # pylint: disable=broad-except
            log.info("Studio editor of %s: a block of the course could not be read", self.scope_ids.usage_id,
                     exc_info=True)
            return None


def block_label(block):
    """A block's name for authors: its display name (or the workbench's ``name``), else its type."""
    for attribute in ("display_name", "name"):
        value = getattr(block, attribute, None)
        if isinstance(value, str) and value.strip():
            return value
    return block.scope_ids.block_type


def reference_spec(accepts, optional=True, many=False):
    """A block picker offering the course's blocks that can do one of ``accepts``."""
    return {"kind": "references" if many else "reference", "accepts": list(accepts), "optional": optional}


def rows_spec(columns, add_label, item_label, **extra):
    """A list editor: one row per item, each a set of columns (translated labels already)."""
    return dict({"kind": "rows", "columns": columns, "add_label": add_label, "item_label": item_label}, **extra)


def column(key, label, kind="text", **extra):
    return dict({"key": key, "label": label, "kind": kind}, **extra)


def without_skills(items, key, slugs):
    """``items`` with ``slugs`` taken out of each item's ``key``: a single id is removed, a list filtered."""
    kept = []
    for item in items if isinstance(items, list) else ():
        value = item.get(key) if isinstance(item, dict) else None
        if isinstance(value, str) and value in slugs:
            item = {name: part for name, part in item.items() if name != key}
        elif isinstance(value, list) and any(skill in slugs for skill in value):
            item = dict(item, **{key: [skill for skill in value if skill not in slugs]})
        kept.append(item)
    return kept


def skills_in(items, key):
    """The skill ids under ``key`` (one id or a list of them) in a list of authored items; odd items skipped."""
    found = set()
    for item in items if isinstance(items, list) else ():
        value = item.get(key) if isinstance(item, dict) else None
        for skill in value if isinstance(value, list) else [value]:
            if isinstance(skill, str) and skill:
                found.add(skill)
    return sorted(found)
