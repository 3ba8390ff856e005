"""
Studio keeps each gate child's ``group_access`` in step with the gate, so authors never write it.

Studio sends ``XBLOCK_CREATED`` / ``XBLOCK_UPDATED`` (openedx-events) after every change that is
committed: a child added to a gate, a gate's routes or child routes saved, a block moved in or out
of a gate (its old and new parents are updated). Each one re-applies the rule to the changed
block's children (and to the block itself), touching only the gate partitions' entries.

Studio sends these events while its modulestore bulk operation is closing, when a write would be
dropped with the operation; so during a request the blocks are noted and synced once the request
has finished (``request_finished``), and outside requests (imports, scripts) at once.
"""
import logging
import threading

from personalized_path.core import gate_access
from personalized_path.openedx.partitions import GATE_CATEGORY

log = logging.getLogger(__name__)


def wanted_group_access(block, parent):
    """The ``group_access`` ``block`` should have given its parent (its other partitions' entries kept)."""
    if parent is not None and parent.location.block_type == GATE_CATEGORY:
        child_key = block.location.block_id
        allowed = gate_access.allowed_groups(child_key, parent.child_routes, parent.routes)
        return gate_access.merged_group_access(block.group_access, gate_access.partition_id(parent.location.block_id),
                                               allowed)
    return gate_access.merged_group_access(block.group_access, None, None)


def sync_block(store, usage_key, user_id):
    """Apply the rule to the block at ``usage_key`` and its children; returns how many blocks changed."""
    block = store.get_item(usage_key)
    changed = 0
    pairs = [(block, block.get_parent())] + [(child, block) for child in block.get_children()]
    for item, parent in pairs:
        wanted = wanted_group_access(item, parent)
        if wanted != (item.group_access or {}):
            item.group_access = wanted
            store.update_item(item, user_id)
            changed += 1
    return changed


_waiting = threading.local()


def sync_after_authoring_change(sender=None, xblock_info=None, **kwargs):
    """Receiver of XBLOCK_CREATED / XBLOCK_UPDATED."""
    if xblock_info is None:
        return
    from crum import get_current_request  # pylint: disable=import-outside-toplevel
    if get_current_request() is not None:
        waiting = getattr(_waiting, "keys", None)
        if waiting is None:
            waiting = _waiting.keys = []
        if xblock_info.usage_key not in waiting:
            waiting.append(xblock_info.usage_key)
        return
    sync_now(xblock_info.usage_key)


def sync_after_request(sender=None, **kwargs):
    """Receiver of Django's ``request_finished``: sync what this request's authoring changes touched."""
    waiting, _waiting.keys = getattr(_waiting, "keys", None) or [], []
    for usage_key in waiting:
        sync_now(usage_key)


def sync_now(usage_key):
    """Sync one block and its children; never lets a failure reach the author."""
    # pylint: disable=import-outside-toplevel,import-error
    from xmodule.modulestore import ModuleStoreEnum
    from xmodule.modulestore.django import modulestore
    from xmodule.modulestore.exceptions import ItemNotFoundError
    store = modulestore()
    try:
        with store.bulk_operations(usage_key.course_key):
            # Recorded as the modulestore's system user: the author did not write these values.
            sync_block(store, usage_key, ModuleStoreEnum.UserID.mgmt_command)
    except ItemNotFoundError:
        return
    except Exception:  # pylint: disable=broad-except
        log.exception("Mastery gate: could not update the access of %s and its children", usage_key)
