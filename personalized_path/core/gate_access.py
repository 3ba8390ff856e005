"""
Who may open a mastery gate's children: the gate's user partition, in plain data.

Open edX hides any block whose ``group_access`` names groups of a user partition the learner is
not in (courseware, ``/xblock/``, handlers, the Course Blocks API, grades, completion). Each gate
gets a partition of its own; its groups are "unlocked" (for gates without routes) and one per
route. A learner belongs to a group only once the gate's stored evaluation says unlocked; locked
or unreadable state puts them in no group, so every child stays hidden (failure is safe).

Everything here is pure: the platform glue in ``personalized_path.openedx`` applies it.
"""
import zlib

from . import N_
from .gate import EVERYONE, STATE_SHAPE, usable_routes

# Open edX takes partition ids from 100 to 2**31 - 1 for partitions made at run time. A gate's id
# derives from its block id, which survives course re-runs and imports, so the children's
# group_access keeps pointing at the right partition without anything stored.
PARTITION_ID_LOW = 1_000_000_000
PARTITION_ID_HIGH = 2**31 - 1
SCHEME = "personalized_mastery_gate"

UNLOCKED_GROUP = 1        # unlocked on a gate without usable routes, or with no route matched
FIRST_ROUTE_GROUP = 2     # routes follow in the author's order
NOBODY_GROUP = 0          # for a child assigned to a route that no longer exists

UNLOCKED_NAME = N_("Unlocked")
NOBODY_NAME = N_("Nobody (the child's route no longer exists)")


def partition_id(gate_block_id):
    """The partition id of the gate whose block id (the last part of its usage key) is given."""
    span = PARTITION_ID_HIGH - PARTITION_ID_LOW + 1
    return PARTITION_ID_LOW + zlib.crc32(f"personalized_mastery_gate:{gate_block_id}".encode("utf-8")) % span


def is_gate_partition_id(value):
    return isinstance(value, int) and PARTITION_ID_LOW <= value <= PARTITION_ID_HIGH


def groups(routes):
    """``[(group id, name), ...]`` of a gate with these routes (names are N_-marked or the author's labels)."""
    found = [(NOBODY_GROUP, NOBODY_NAME), (UNLOCKED_GROUP, UNLOCKED_NAME)]
    for index, route in enumerate(usable_routes(routes)):
        found.append((FIRST_ROUTE_GROUP + index, route["label"]))
    return found


def route_groups(routes):
    """``{route id: group id}`` of a gate with these routes (kept in the partition's parameters)."""
    return {route["id"]: FIRST_ROUTE_GROUP + index for index, route in enumerate(usable_routes(routes))}


def allowed_groups(child_key, child_routes, routes):
    """The groups that may open one child: never empty (an empty list would mean "everyone")."""
    groups_of_routes = route_groups(routes)
    child_routes = child_routes if isinstance(child_routes, dict) else {}
    route_id = child_routes.get(child_key, EVERYONE)
    if route_id == EVERYONE:
        return [UNLOCKED_GROUP, *groups_of_routes.values()]
    if route_id in groups_of_routes:
        return [groups_of_routes[route_id]]
    return [NOBODY_GROUP]


def group_for_state(stored_state, groups_of_routes, current_round=0):
    """
    The group of a learner whose stored gate state is ``stored_state``, or None (no child visible).
    ``groups_of_routes`` is what ``route_groups`` gave for the gate's routes. An unlock from an
    earlier round (before the author's "re-evaluate everyone") opens nothing until the gate has
    evaluated the learner again under the rule as saved.

    Returns ``(group id or None, problem)``; ``problem`` explains unreadable state, for the log.
    """
    state, problem = STATE_SHAPE.read(stored_state)
    if problem or not state["unlocked"] or state["round"] != current_round:
        return None, problem
    return groups_of_routes.get(state["route"], UNLOCKED_GROUP), None


def merged_group_access(current, partition, allowed):
    """
    A child's new ``group_access``: its own entries for other partitions kept, this gate's
    partition set to ``allowed`` (or removed when ``allowed`` is None), and entries of other
    gates' partitions dropped (the child was moved out of that gate).
    """
    current = current if isinstance(current, dict) else {}
    merged = {key: value for key, value in current.items() if not is_gate_partition_id(_as_int(key))}
    if allowed is not None:
        merged[partition] = list(allowed)
    return merged


def _as_int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def may_open(stored_state, child_key, child_routes, routes, current_round=0):
    """Whether a learner with this stored gate state may open one child: ``(bool, problem)``."""
    group, problem = group_for_state(stored_state, route_groups(routes), current_round)
    return group is not None and group in allowed_groups(child_key, child_routes, routes), problem
