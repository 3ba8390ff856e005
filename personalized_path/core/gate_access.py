"""
Who may open a mastery gate's children: the gate's user partition, in plain data.

Open edX hides any block whose ``group_access`` names groups of a user partition the learner is
not in (courseware, ``/xblock/``, handlers, the Course Blocks API, grades, completion). Each gate
gets a partition of its own; its groups are "unlocked" (for gates without routes) and one per
route. A learner belongs to a group only while the gate's decision for them now (its
``evaluate``) says unlocked; locked, or a decision that cannot be made, puts them in no group, so
every child stays hidden (failure is safe).

Everything here is pure: the platform glue in ``personalized_path.openedx`` applies it.
"""
import zlib

from . import N_
from .gate import EVERYONE, child_route, usable_routes

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


def names_gate_partition(group_access):
    """Whether a stored ``group_access`` has an entry for some gate's partition."""
    return isinstance(group_access, dict) and any(is_gate_partition_id(_as_int(key)) for key in group_access)


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
    route_id = child_route(child_routes, child_key)
    if route_id == EVERYONE:
        return [UNLOCKED_GROUP, *groups_of_routes.values()]
    if route_id in groups_of_routes:
        return [groups_of_routes[route_id]]
    return [NOBODY_GROUP]


def group_for(unlocked, route_id, groups_of_routes):
    """
    The group of a learner for whom the gate decides ``unlocked`` (on route ``route_id``) now, or
    None (no child visible). ``groups_of_routes`` is what ``route_groups`` gave for the gate's routes;
    a route that has no group (the routes changed since) counts as "unlocked".
    """
    if unlocked is not True:
        return None
    return groups_of_routes.get(route_id, UNLOCKED_GROUP) if isinstance(groups_of_routes, dict) else UNLOCKED_GROUP


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


def wanted_entries(gates, current):
    """
    Which blocks' ``group_access`` must change so that every gate's children carry the gate's rule.
    ``gates``: ``[(gate block id, [(child, child block id)], child_routes, routes)]``, where ``child`` is
    any key naming the block (its usage key); ``current``: ``{child: group_access}`` of every gate child
    and of every block that names a gate partition. Returns ``{child: new group_access}`` for the
    blocks that differ (other partitions' entries kept; a gate's entry on a block no longer its child
    dropped).
    """
    wanted = {}
    for gate_id, children, child_routes, routes in gates:
        partition = partition_id(gate_id)
        for child, child_id in children:
            allowed = allowed_groups(child_id, child_routes, routes)
            wanted[child] = merged_group_access(current.get(child), partition, allowed)
    for block_id, group_access in current.items():
        if block_id not in wanted:
            wanted[block_id] = merged_group_access(group_access, None, None)
    return {block_id: access for block_id, access in wanted.items()
            if normalized(access) != normalized(current.get(block_id))}


def normalized(group_access):
    """``group_access`` with int keys and sorted groups, for comparing (stored JSON keys are strings)."""
    if not isinstance(group_access, dict):
        return {}
    return {_as_int(key): sorted(value) if isinstance(value, list) else value for key, value in group_access.items()
            if value not in (None, [])}
