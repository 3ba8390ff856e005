"""
The mastery gate's user partition scheme (entry point ``openedx.user_partition_scheme``) and the
dynamic partitions it adds to every course (entry point ``openedx.dynamic_partition_generator``).

The platform asks the scheme which group a learner is in whenever it checks a block's
``group_access`` (courseware, ``/xblock/``, handlers, the Course Blocks API, grades). The answer is
the gate's decision for that learner now: ``MasteryGateBlock.evaluate`` on the gate bound to the
learner with their state in it and in the blocks it reads, so a learner who meets the rule, or is
given an exception, is in at once, whether or not they open the gate again. Once per request and
gate (a request cache). Any failure answers "no group": children stay hidden.
"""
import logging

from personalized_path.catalog import package_catalog
from personalized_path.core import gate_access
from personalized_path.openedx.settings import enforcing

log = logging.getLogger(__name__)

GATE_CATEGORY = "personalized_mastery_gate"
DECISIONS = "personalized_path.gate_decisions"


def gettext(text):
    return package_catalog().gettext(text)


def decided_group(gate, route_groups):
    """The group ``gate`` (bound to a learner) puts its learner in now, or None: from its one decision."""
    evaluation = gate.evaluate()
    return gate_access.group_for(evaluation.unlocked, evaluation.route["id"] if evaluation.route else None,
                                 route_groups)


def course_gates(user, course_key):
    """
    Once per request and learner: the course's gates as authored (one read of the course's structure)
    and one read-only FieldDataCache of this learner's state in all of them and in the blocks they
    read (one set of queries), so that an outline asking about every gate costs no more queries than
    a child's page asking about one.
    """
    # pylint: disable=import-outside-toplevel,import-error
    from edx_django_utils.cache import RequestCache
    from lms.djangoapps.courseware.model_data import DjangoKeyValueStore, FieldDataCache
    from xblock.runtime import KvsFieldData
    from xmodule.modulestore.django import modulestore
    cache = RequestCache(DECISIONS)
    key = ("gates", user.id, str(course_key))
    found = cache.get_cached_response(key)
    if found.is_found:
        return found.value
    store = modulestore()
    with store.bulk_operations(course_key):
        gates = store.get_items(course_key, qualifiers={"category": GATE_CATEGORY})
        blocks = [block for gate in gates for block in [gate, *gate.get_required_block_descriptors()]]
    learner_data = KvsFieldData(DjangoKeyValueStore(FieldDataCache(blocks, course_key, user, read_only=True)))
    value = ({gate.location.for_branch(None): gate for gate in gates}, learner_data)
    cache.set(key, value)
    return value


def learner_gate(user, gate_key):
    """
    The gate as ``user`` has it, for deciding only: the block as authored, with this learner's state in
    it and in the blocks it reads (the blocks it declares, as the LMS preloads them for its view),
    read from StudentModule (read-only: deciding writes nothing). Without the platform's access
    check, which the caller is in the middle of. None when the course has no such gate.
    """
    from personalized_path.openedx.linked import bound_view  # pylint: disable=import-outside-toplevel
    gates, learner_data = course_gates(user, gate_key.course_key.for_branch(None))
    authored = gates.get(gate_key.for_branch(None))
    return bound_view(authored, user.id, learner_data) if authored is not None else None


def learner_group(user, gate_key, route_groups):
    """``decided_group`` for ``user``'s gate, once per request."""
    # pylint: disable-next=import-outside-toplevel
    from edx_django_utils.cache import RequestCache
    cache = RequestCache(DECISIONS)
    key = (user.id, str(gate_key))
    found = cache.get_cached_response(key)
    if found.is_found:
        return found.value
    gate = learner_gate(user, gate_key)
    if gate is None:
        raise LookupError(f"{gate_key} is not a gate of its course, or cannot be bound for deciding")
    group = decided_group(gate, route_groups)
    cache.set(key, group)
    return group


class MasteryGatePartitionScheme:
    """Learners are in a gate's "unlocked" or route group while the gate's rule (or an exception) opens it."""

    read_only = True  # partitions come from the gates; Studio's group configurations cannot save one

    @classmethod
    def get_group_for_user(cls, course_key, user, user_partition, **kwargs):
        try:
            masquerade_group = cls._masquerade_group(course_key, user, user_partition)
            if masquerade_group is not False:
                return masquerade_group
            from opaque_keys.edx.keys import UsageKey  # pylint: disable=import-outside-toplevel
            gate_key = UsageKey.from_string(user_partition.parameters["gate"]).map_into_course(course_key)
            group_id = learner_group(user, gate_key, user_partition.parameters.get("route_groups", {}))
            return user_partition.get_group(group_id) if group_id is not None else None
        except Exception:  # pylint: disable=broad-except
            log.exception("Mastery gate partition %s: cannot place user %s; children stay hidden",
                          getattr(user_partition, "id", None), getattr(user, "id", None))
            return None

    @staticmethod
    def _masquerade_group(course_key, user, user_partition):
        """The group staff chose to view as (None: as a learner in no group); False when not masquerading."""
        # pylint: disable=import-outside-toplevel,import-error
        from lms.djangoapps.courseware.masquerade import (get_course_masquerade, get_masquerading_user_group,
                                                          is_masquerading_as_specific_student)
        if get_course_masquerade(user, course_key) and not is_masquerading_as_specific_student(user, course_key):
            return get_masquerading_user_group(course_key, user, user_partition)
        return False


def gate_partition(gate, scheme):
    """The user partition of one gate block (its groups follow the gate's routes)."""
    # pylint: disable-next=import-outside-toplevel,import-error
    from xmodule.partitions.partitions import Group, UserPartition
    routes = gate.routes
    groups = [Group(group_id, package_catalog().gettext(name) if group_id < gate_access.FIRST_ROUTE_GROUP else name)
              for group_id, name in gate_access.groups(routes)]
    return UserPartition(
        id=gate_access.partition_id(gate.location.block_id),
        name=gettext("Mastery gate: %(title)s") % {"title": gate.display_name},
        description=gettext("Learners for whom this mastery gate has unlocked, by route."),
        groups=groups,
        scheme=scheme,
        parameters={"gate": str(gate.location.for_branch(None)),
                    "route_groups": gate_access.route_groups(routes)},
        active=enforcing(),
    )


def create_gate_partitions(course):
    """
    One partition per mastery gate in ``course`` (the ``openedx.dynamic_partition_generator``). A
    failure is raised, not hidden behind an empty list: the course's pages fail, loudly, rather than
    run with the gates' rules unknown to the platform and to Studio's visibility settings.
    """
    # pylint: disable=import-outside-toplevel,import-error
    from xmodule.modulestore.django import modulestore
    from xmodule.partitions.partitions import UserPartition
    try:
        scheme = UserPartition.get_scheme(gate_access.SCHEME)
        gates = modulestore().get_items(course.id, qualifiers={"category": GATE_CATEGORY})
        return [gate_partition(gate, scheme) for gate in gates]
    except Exception:
        log.exception("Mastery gate partitions for %s could not be built", getattr(course, "id", None))
        raise
