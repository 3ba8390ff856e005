"""
An openedx-filters step for ``RenderXBlockStarted`` (the ``/xblock/<usage key>`` page): a backstop.

A gate child carries its gate's access rule (``group_access``, kept in step on every publish, see
gate_sync.py), so the platform itself refuses a locked child before this step runs, with its own
"not available" page and no error logged. The step acts only on a gate child that lacks the rule (a
course not synced since the plugin was installed): it decides as the partition would and, if locked,
shows a short lock message naming the gate instead of the child. openedx-filters logs any exception
a step raises as an error with its traceback, which is right there: an operator must run
``sync_mastery_gates``, and a warning says so.
"""
import logging

from django.utils.html import format_html
from openedx_filters import PipelineStep
from openedx_filters.learning.filters import RenderXBlockStarted

from personalized_path.core import gate_access
from personalized_path.openedx.partitions import GATE_CATEGORY, decided_group, gettext, learner_gate
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


def deciding_gate(gate):
    """The gate bound for deciding: in the LMS with the learner's state read for it; elsewhere as bound."""
    user = getattr(gate.runtime.service(gate, "user"), "_django_user", None)
    if user is None:
        return gate
    try:
        return learner_gate(user, gate.location) or gate
    except ImportError:  # not inside the LMS: the runtime's own field data is the storage
        return gate


def current_user_attribute(block, name):
    user = block.runtime.service(block, "user").get_current_user()
    return user.opt_attrs.get(name)


def lock_message(gate):
    text = gettext("This part of the course opens once you meet the conditions of “%(gate)s”.") % {
        "gate": gate.display_name}
    return format_html('<div class="personalized-path-locked" role="status"><p>{}</p></div>', text)


class RefuseLockedChildRender(PipelineStep):
    """Replaces the page of an unsynced gate child the learner has not unlocked (staff are never stopped)."""

    def run_filter(self, context, student_view_context):  # pylint: disable=arguments-differ
        passed = {"context": context, "student_view_context": student_view_context}
        block = context.get("block")
        if block is None or context.get("staff_access") or not enforcing():
            return passed
        gate, child = enclosing_gate(block)
        if gate is None or current_user_attribute(gate, "edx-platform.user_is_staff"):
            return passed
        partition = gate_access.partition_id(gate.child_key(gate.scope_ids.usage_id))
        if partition in gate_access.normalized(getattr(child, "group_access", None)):
            return passed  # the platform has applied the gate's rule already
        log.warning("Mastery gate %s: child %s has no access rule; run `sync_mastery_gates --course %s`",
                    gate.scope_ids.usage_id, child.scope_ids.usage_id,
                    getattr(gate.scope_ids.usage_id, "course_key", "<course key>"))
        routes = gate_access.route_groups(gate.routes)
        try:
            group = decided_group(deciding_gate(gate), routes)
        except Exception:  # pylint: disable=broad-except
            log.exception("Mastery gate %s: cannot decide for this learner; the child stays locked",
                          gate.scope_ids.usage_id)
            group = None
        if group is not None and group in gate_access.allowed_groups(
                gate.child_key(child.scope_ids.usage_id), gate.child_routes, gate.routes):
            return passed
        raise RenderXBlockStarted.RenderCustomResponse("Mastery gate locked", response=lock_message(gate))
