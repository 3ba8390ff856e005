"""
An openedx-filters step for ``RenderXBlockStarted`` (the ``/xblock/<usage key>`` page).

The gate partition already makes the platform answer 404 there. This step covers what the
partition cannot: a gate child whose ``group_access`` was never set (a course imported or edited
before the plugin was installed). For such a child of a locked gate the page shows a short lock
message naming the gate instead of the child.
"""
import logging

from django.utils.html import format_html
from openedx_filters import PipelineStep
from openedx_filters.learning.filters import RenderXBlockStarted

from personalized_path.core import gate_access
from personalized_path.openedx.partitions import GATE_CATEGORY, gettext, read_gate_state
from personalized_path.openedx.settings import enforcing

log = logging.getLogger(__name__)


def enclosing_gate(block):
    """The nearest mastery gate above ``block`` and the gate's child on the way, or (None, None)."""
    child, parent = block, block.get_parent()
    while parent is not None:
        if parent.scope_ids.block_type == GATE_CATEGORY:
            return parent, child
        child, parent = parent, parent.get_parent()
    return None, None


def stored_gate_state(gate):
    """The gate's stored evaluation for the current learner: the LMS's user-state storage, else the runtime's."""
    username = current_user_attribute(gate, "edx-platform.username")
    try:
        return read_gate_state(username, gate.scope_ids.usage_id)
    except ImportError:  # not inside the LMS: the runtime's own field data is the storage
        return gate.learner_state


def current_user_attribute(block, name):
    user = block.runtime.service(block, "user").get_current_user()
    return user.opt_attrs.get(name)


def lock_message(gate):
    text = gettext("This part of the course opens once you meet the conditions of “%(gate)s”.") % {
        "gate": gate.display_name}
    return format_html('<div class="personalized-path-locked" role="status"><p>{}</p></div>', text)


class RefuseLockedChildRender(PipelineStep):
    """Replaces the page of a gate child the learner has not unlocked (staff are never stopped)."""

    def run_filter(self, context, student_view_context):  # pylint: disable=arguments-differ
        block = context.get("block")
        if block is None or context.get("staff_access") or not enforcing():
            return {"context": context, "student_view_context": student_view_context}
        gate, child = enclosing_gate(block)
        if gate is None or current_user_attribute(gate, "edx-platform.user_is_staff"):
            return {"context": context, "student_view_context": student_view_context}
        try:
            allowed, problem = gate_access.may_open(stored_gate_state(gate), gate.child_key(child.scope_ids.usage_id),
                                                    gate.child_routes, gate.routes, gate.unlock_round)
        except Exception:  # pylint: disable=broad-except
            log.exception("Mastery gate %s: cannot read the learner's state; the child stays locked",
                          gate.scope_ids.usage_id)
            allowed, problem = False, "unreadable"
        if problem:
            log.warning("Mastery gate %s: learner state unreadable (%s); the child stays locked",
                        gate.scope_ids.usage_id, problem)
        if allowed:
            return {"context": context, "student_view_context": student_view_context}
        raise RenderXBlockStarted.RenderCustomResponse("Mastery gate locked", response=lock_message(gate))
