"""
Every gate child of a course carries the gate's access rule (``group_access``), whichever way the
content arrived: Studio's editor, an OLX import, a course re-run, the REST API, a script.

``sync_course`` makes one pass over a course: the gates (one query by block type), their children and
every block that names a gate partition (one query each, the modulestore matching on the stored
fields), then writes only the blocks whose ``group_access`` differs. A second pass writes nothing.

It runs on the modulestore's ``course_published`` signal (sent when a publish, an import or a re-run
commits) and from the ``sync_mastery_gates`` management command. The signal arrives while the
modulestore's bulk operation of the publish is still open on this thread, where a write would be
dropped with it; so the pass runs on a thread of its own (bulk operations are per thread), and the
signal's sender waits for it. Our own writes send ``course_published`` again: that pass finds nothing
to change.
"""
import logging
import threading

from personalized_path.core import gate_access
from personalized_path.openedx.partitions import GATE_CATEGORY

log = logging.getLogger(__name__)


def gate_rules(gates):
    """What ``gate_access.wanted_entries`` reads of each gate block."""
    return [(gate.location.block_id, [(child.for_branch(None), child.block_id) for child in gate.children],
             gate.child_routes, gate.routes) for gate in gates]


def branch_changes(store, course_key):
    """``{usage key: (block, new group_access)}`` for one branch of a course (``course_key`` names it)."""
    gates = store.get_items(course_key, qualifiers={"category": GATE_CATEGORY})
    rules = gate_rules(gates)
    child_ids = sorted({child_id for _gate, children, _routes, _all in rules for _key, child_id in children})
    blocks = store.get_items(course_key, qualifiers={"name": child_ids}) if child_ids else []
    blocks += store.get_items(course_key, settings={"group_access": gate_access.names_gate_partition})
    by_key = {block.location.for_branch(None): block for block in blocks}
    children = {key for _gate, items, _routes, _all in rules for key, _id in items}
    current = {key: block.group_access for key, block in by_key.items()
               if key in children or gate_access.names_gate_partition(block.group_access)}
    wanted = gate_access.wanted_entries(rules, current)
    return {key: (by_key[key], access) for key, access in wanted.items() if key in by_key}


# The split modulestore's branches (ModuleStoreEnum.BranchName).
DRAFT, PUBLISHED = "draft-branch", "published-branch"


def sync_course(store, course_key, user_id):
    """
    Bring the course's draft and published gate children in line; returns how many blocks were written.
    A draft block without unpublished changes is published after the write, so that Studio does not
    show the unit as changed; the published branch is then written only where it still differs.
    """
    written = 0
    course_key = course_key.for_branch(None)
    with store.bulk_operations(course_key):
        for key, (block, access) in branch_changes(store, course_key.for_branch(DRAFT)).items():
            unchanged = not store.has_changes(block)
            block.group_access = access
            store.update_item(block, user_id)
            written += 1
            if unchanged:
                store.publish(key, user_id)
        for _key, (block, access) in branch_changes(store, course_key.for_branch(PUBLISHED)).items():
            block.group_access = access
            store.update_item(block, user_id)
            written += 1
    return written


def sync_course_now(course_key):
    """``sync_course`` as the modulestore's system user, on a thread of its own; re-raises what it raised."""
    # pylint: disable=import-outside-toplevel,import-error
    from django.db import close_old_connections
    from xmodule.modulestore import ModuleStoreEnum
    from xmodule.modulestore.django import modulestore
    outcome = {}

    def run():
        try:
            # Recorded as the modulestore's system user: no author wrote these values.
            outcome["written"] = sync_course(modulestore(), course_key, ModuleStoreEnum.UserID.mgmt_command)
        except Exception as error:  # pylint: disable=broad-except
            outcome["error"] = error
        finally:
            close_old_connections()

    worker = threading.Thread(target=run, name=f"personalized_path sync {course_key}")
    worker.start()
    worker.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["written"]


def sync_after_publish(sender=None, course_key=None, **kwargs):  # pylint: disable=unused-argument
    """Receiver of the modulestore's ``course_published`` (publish, import, re-run)."""
    from opaque_keys.edx.locator import CourseLocator  # pylint: disable=import-outside-toplevel
    if not isinstance(course_key, CourseLocator):  # libraries have no gates to enforce
        return
    try:
        written = sync_course_now(course_key)
    except Exception:  # pylint: disable=broad-except
        # Loud: the course's gate children may be open until this is fixed (sync_mastery_gates).
        log.exception("Mastery gate: could not sync the access of the gate children of %s; "
                      "run `sync_mastery_gates --course %s`", course_key, course_key)
        return
    if written:
        log.info("Mastery gate: %s gate children of %s given their gate's access rule", written, course_key)
