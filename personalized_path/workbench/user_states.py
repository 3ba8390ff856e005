"""
The platform's user-state client interface (``XBlockUserStateClient``) over the workbench's store.

The workbench keeps every block's learner fields for one learner in one row of ``XBlockState``
(scope "usage", the usage id, the student id, a JSON object of fields), as the LMS keeps them in
one StudentModule row; so reading all learners of a block is one query, as in the LMS.
"""
import json

from django.db import transaction
from django.utils.timezone import now
from edx_user_state_client.interface import XBlockUserState, XBlockUserStateClient
from workbench.models import XBlockState
from xblock.fields import Scope

USAGE = "usage"  # XBlockState.scope of Scope.user_state rows


def _check(scope):
    if scope != Scope.user_state:
        raise ValueError("Only Scope.user_state is supported")


def _state(row):
    try:
        state = json.loads(row.state)
    except ValueError:
        return {}
    return state if isinstance(state, dict) else {}


def _row_state(row, scope, fields=None):
    state = _state(row)
    if fields is not None:
        state = {name: state[name] for name in fields if name in state}
    return XBlockUserState(row.user_id, row.scope_id, state, row.created, scope)


class WorkbenchUserStateClient(XBlockUserStateClient):
    """Learner state of many learners at once, for staff views (the runtime's ``user_state_client``)."""

    def get_many(self, username, block_keys, scope=Scope.user_state, fields=None):
        _check(scope)
        rows = XBlockState.objects.filter(scope=USAGE, user_id=username, scope_id__in=[str(key) for key in block_keys])
        for row in rows:
            item = _row_state(row, scope, fields)
            if item.state:
                yield item

    def set_many(self, username, block_keys_to_state, scope=Scope.user_state):
        """Overlay the given fields on each block's stored fields (the others are kept), as the LMS does."""
        _check(scope)
        with transaction.atomic():
            for key, state in block_keys_to_state.items():
                scenario, tag, _rest = str(key).split(".", 2)
                row, _created = XBlockState.objects.select_for_update().get_or_create(
                    scope=USAGE, scope_id=str(key), user_id=username, scenario=scenario, tag=tag)
                stored = _state(row)
                stored.update(state)
                row.state = json.dumps(stored, indent=2, sort_keys=True)
                row.created = now()
                row.save()

    def delete_many(self, username, block_keys, scope=Scope.user_state, fields=None):
        _check(scope)
        with transaction.atomic():
            for row in XBlockState.objects.select_for_update().filter(
                    scope=USAGE, user_id=username, scope_id__in=[str(key) for key in block_keys]):
                stored = _state(row)
                for name in list(stored) if fields is None else fields:
                    stored.pop(name, None)
                row.state = json.dumps(stored, indent=2, sort_keys=True)
                row.save()

    def get_history(self, username, block_key, scope=Scope.user_state):
        """The workbench keeps no history: the current state is the only entry."""
        _check(scope)
        yield from self.get_many(username, [block_key], scope)

    def iter_all_for_block(self, block_key, scope=Scope.user_state):
        """Every learner's fields for one block: one query, streamed."""
        _check(scope)
        rows = XBlockState.objects.filter(scope=USAGE, scope_id=str(block_key)).exclude(user_id=None)
        for row in rows.iterator(chunk_size=2000):
            item = _row_state(row, scope)
            if item.state:
                yield item

    def iter_all_for_course(self, course_key, block_type=None, scope=Scope.user_state):
        """Every learner's fields in a workbench scenario (the workbench's closest thing to a course)."""
        _check(scope)
        rows = XBlockState.objects.filter(scope=USAGE, scenario=str(course_key)).exclude(user_id=None)
        if block_type:
            rows = rows.filter(tag=block_type)
        for row in rows.iterator(chunk_size=2000):
            item = _row_state(row, scope)
            if item.state:
                yield item


def workbench_plans(course_keys, plan_keys):
    """
    The learning plans of each workbench scenario (the workbench's courses) this process has loaded, and
    each plan named, loaded for a staff user (``PERSONALIZED_PATH_PLAN_LOADER`` of the workbench).
    """
    from workbench.runtime import ID_MANAGER, WorkbenchRuntime  # pylint: disable=import-outside-toplevel
    runtime = WorkbenchRuntime("staff_rebuild")
    known = list(ID_MANAGER._usages)  # pylint: disable=protected-access
    keys = [usage for course in course_keys for usage in known
            if usage.startswith(f"{course}.personalized_learning_plan.")] + list(plan_keys)
    for key in keys:
        yield runtime.get_block(key)
