"""
What the course team gets beside a block: warnings about broken links, a preview as a learner
with chosen values, the class summary and one learner's answers.
"""
from xblock.core import XBlockMixin
from xblock.exceptions import JsonHandlerError

from .core.payload import as_object, as_text, only_keys, require
from .core.preview import read_values as read_preview_values
from .handlers import json_api
from .links import LINK_OK


class StaffToolsMixin(XBlockMixin):
    """The staff tools under a block's view and their handlers (``preview``, ``learner_answers``)."""

    state_shape = None  # the block's core.STATE_SHAPE, for looking up one learner's answers

    def link_warnings(self):
        """Sentences for staff about links to other blocks that are broken (see ``links``), saying what to fix."""
        found = ((field_name, ref, self.link_status(field_name, ref)) for field_name, _place, ref in self.link_refs())
        return [self.link_warning(field_name, ref, status) for field_name, ref, status in found if status != LINK_OK]

    def preview_fields(self):
        """The preview form (see core.preview); empty when the block offers no preview."""
        return []

    def preview_html(self, values):
        """The learner view for the checked preview ``values``, computed without storing anything."""
        return ""  # only called for blocks whose preview_fields() is not empty, which override this

    def class_summary(self):
        """``{"learners", "row_heading", "columns", "rows": [{"label", "cells"}]}`` of anonymous counts, or None."""
        return None

    def lookup_rows(self, state):  # pylint: disable=unused-argument
        """One learner's answers as ``[{"label", "value"}]``; None when the block has no lookup."""
        return None

    def render_staff_tools(self):
        """
        For the course team: link warnings and the preview, in the LMS and in Studio's preview of the
        unit (where authors are not "staff" to the user service); the class summary and the lookup
        of one learner only in the LMS, where learners' data is.
        """
        if not self.can_edit_settings():
            return ""
        with_learners = self.is_staff()
        lookup = with_learners and self.state_shape is not None and \
            self.lookup_rows(self.state_shape.default()) is not None
        context = {"warnings": self.link_warnings(), "preview_fields": self.preview_fields(),
                   "summary": self.class_summary() if with_learners else None, "lookup": lookup,
                   "recount": with_learners and bool(self.class_count_rules())}
        if not any(context.values()):
            return ""
        return self.render_template(context, "staff_tools.html")

    @json_api
    def preview(self, data, suffix=""):  # pylint: disable=unused-argument
        """
        The course team (course staff in the LMS, authors in Studio): ``{"values": {...}}`` -> this
        block as a learner with those values would see it, computed by the same core functions as
        the learner's own view; nothing is stored.
        """
        self.require_staff(or_author=True)
        only_keys(data, ("values",))
        fields = self.preview_fields()
        if not fields:
            raise JsonHandlerError(404, self._("This block has no preview."))
        values = read_preview_values(fields, as_object(require(data, "values"), "values"))
        self._previewing = True
        try:
            return {"html": self.preview_html(values)}
        finally:
            self._previewing = False

    @json_api
    def learner_answers(self, data, suffix=""):  # pylint: disable=unused-argument
        """Staff: ``{"username": "..."}`` -> that learner's answers here, read through the user_state service."""
        self.require_staff()
        only_keys(data, ("username",))
        username = as_text(require(data, "username"), "username", 150, min_chars=1, multiline=False).strip()
        service = self.runtime.service(self, "user_state")
        if self.state_shape is None or service is None:
            raise JsonHandlerError(404, self._("Looking up a learner is not available here."))
        stored = service.get_state_as_dict(username, self.scope_ids.usage_id) or {}
        rows = self.lookup_rows(self.read_state(self.state_shape, stored.get("learner_state"))) if stored else []
        return {"html": self.render_template({"username": username, "rows": rows}, "learner_lookup.html")}

    def link_warning(self, field_name, ref, problem):
        """A sentence for staff about one broken link and what to do about it."""
        params = {"field": self._(self.fields[field_name].display_name), "ref": str(ref)}
        messages = {
            "missing": self._("%(field)s: the block %(ref)s is missing from the course or was deleted. "
                              "Pick another block in Studio, or clear this setting."),
            "wrong_kind": self._("%(field)s: the block %(ref)s is not the kind of block this setting needs. "
                                 "Pick another block in Studio."),
            "unreadable": self._("%(field)s: the block %(ref)s could not be read, so learners are told to ask "
                                 "the course team. Check that block's settings in Studio."),
            "inside": self._("%(field)s: the block %(ref)s is inside this gate, so learners cannot reach it "
                             "before the gate opens. Pick a block outside the gate."),
        }
        return messages[problem] % params
