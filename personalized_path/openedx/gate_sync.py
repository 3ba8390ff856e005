"""
Every gate child of a course carries the gate's access rule (``group_access``), whichever way the
content arrived: Studio's editor, an OLX import, a course re-run, the REST API, a script.

``sync_course`` makes one pass over a course: the gates (one query by block type), their children and
every block that names a gate partition (one query each, the modulestore matching on the stored
fields), then writes only the blocks whose ``group_access`` differs. A second pass writes nothing.

It runs on the modulestore's ``course_published`` signal (sent when a publish, an import or a re-run
commits) and from the ``sync_mastery_gates`` management command. The signal arrives while the
modulestore's bulk operation of the publish is still open on this thread, where a write would be
dropped with it; so the pass runs once that is over: when the database transaction around it
commits (``transaction.on_commit``), else when the request or the celery task that published ends
(Studio's publish, its import and re-run tasks), else (a script) on a thread of its own, whose
modulestore bulk operations are its own, while the publishing thread waits. Our own writes send
``course_published`` again: that pass finds nothing to change.
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


# The modulestore's branch settings (ModuleStoreEnum.Branch): which branch reads and writes go to.
DRAFT, PUBLISHED = "draft-preferred", "published-only"


def sync_course(store, course_key, user_id):
    """
    Bring the course's draft and published gate children in line; returns how many blocks were written.
    A draft block without unpublished changes is published after the write, so that Studio does not
    show the unit as changed; the published branch is then written only where it still differs.
    """
    written = 0
    course_key = course_key.for_branch(None)
    with store.bulk_operations(course_key):
        with store.branch_setting(DRAFT, course_key):
            for key, (block, access) in branch_changes(store, course_key).items():
                unchanged = not store.has_changes(block)
                block.group_access = access
                store.update_item(block, user_id)
                written += 1
                if unchanged:
                    store.publish(key, user_id)
        with store.branch_setting(PUBLISHED, course_key):
            for _key, (block, access) in branch_changes(store, course_key).items():
                block.group_access = access
                store.update_item(block, user_id)
                written += 1
    return written


def sync_course_now(course_key):
    """``sync_course`` as the modulestore's system user; answers how many blocks it wrote."""
    # pylint: disable=import-outside-toplevel,import-error
    from xmodule.modulestore import ModuleStoreEnum
    from xmodule.modulestore.django import modulestore
    # Recorded as the modulestore's system user: no author wrote these values.
    return sync_course(modulestore(), course_key, ModuleStoreEnum.UserID.mgmt_command)


def sync_logged(course_key):
    """``sync_course_now``, its failure logged loudly (the course's gate children may be open until fixed)."""
    try:
        written = sync_course_now(course_key)
    except Exception:  # pylint: disable=broad-except
        log.exception("Mastery gate: could not sync the access of the gate children of %s; "
                      "run `sync_mastery_gates --course %s`", course_key, course_key)
        return
    if written:
        log.info("Mastery gate: %s gate children of %s given their gate's access rule", written, course_key)


def sync_on_own_thread(course_key):
    """``sync_logged`` on a new thread (its own bulk operations and database connection), waited for."""
    from django.db import close_old_connections  # pylint: disable=import-outside-toplevel

    def run():
        try:
            sync_logged(course_key)
        finally:
            close_old_connections()
    worker = threading.Thread(target=run, name=f"personalized_path sync {course_key}")
    worker.start()
    worker.join()


_pending = threading.local()


def in_request_or_task():
    # pylint: disable=import-outside-toplevel
    from crum import get_current_request
    try:
        from celery import current_task
    except ImportError:
        current_task = None
    return get_current_request() is not None or bool(current_task and getattr(current_task.request, "id", None))


def sync_after_publish(sender=None, course_key=None, **kwargs):  # pylint: disable=unused-argument
    """Receiver of the modulestore's ``course_published`` (publish, import, re-run)."""
    # pylint: disable=import-outside-toplevel
    from django.db import connection, transaction
    from opaque_keys.edx.locator import CourseLocator
    if not isinstance(course_key, CourseLocator):  # libraries have no gates to enforce
        return
    course_key = course_key.for_branch(None)
    if connection.in_atomic_block:
        transaction.on_commit(lambda: sync_logged(course_key))
    elif in_request_or_task():
        waiting = getattr(_pending, "courses", None)
        if waiting is None:
            waiting = _pending.courses = []
        if course_key not in waiting:
            waiting.append(course_key)
    else:
        sync_on_own_thread(course_key)


def sync_pending(sender=None, **kwargs):  # pylint: disable=unused-argument
    """Receiver of Django's ``request_finished`` and celery's ``task_postrun``: the courses published meanwhile."""
    waiting, _pending.courses = getattr(_pending, "courses", None) or [], []
    for course_key in waiting:
        sync_logged(course_key)
