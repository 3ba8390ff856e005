"""
The mastery gate's user partition scheme (entry point ``openedx.user_partition_scheme``) and the
dynamic partitions it adds to every course (entry point ``openedx.dynamic_partition_generator``).

The platform asks the scheme which group a learner is in whenever it checks a block's
``group_access``; the answer comes from the gate's stored evaluation in the learner's state
(StudentModule), never from the request. Any failure answers "no group": children stay hidden.
"""
import logging

from personalized_path.core import gate_access
from personalized_path.openedx.settings import enforcing

log = logging.getLogger(__name__)

GATE_CATEGORY = "personalized_mastery_gate"


def catalog():
    """This package's catalog for the active language (the one the blocks' i18n service reads)."""
    # pylint: disable=import-outside-toplevel
    from django.utils import translation

    from personalized_path.workbench.services import PackageI18nService
    return PackageI18nService.catalog(translation.get_language() or "en")


def gettext(text):
    return catalog().gettext(text)


def read_gate_state(username, gate_key):
    """The gate's stored ``learner_state`` for one learner from the LMS's user-state storage (None if none)."""
    # pylint: disable=import-outside-toplevel,import-error
    from lms.djangoapps.courseware.user_state_client import DjangoXBlockUserStateClient
    client = DjangoXBlockUserStateClient()
    try:
        stored = client.get(username, gate_key, fields=["learner_state"])
    except client.DoesNotExist:
        return None
    return stored.state.get("learner_state")


class MasteryGatePartitionScheme:
    """Learners are in a gate's "unlocked" or route group once the gate has unlocked for them."""

    read_only = True  # partitions come from the gates; Studio's group configurations cannot save one

    @classmethod
    def get_group_for_user(cls, course_key, user, user_partition, **kwargs):
        try:
            masquerade_group = cls._masquerade_group(course_key, user, user_partition)
            if masquerade_group is not False:
                return masquerade_group
            gate_key = user_partition.parameters["gate"]
            from opaque_keys.edx.keys import UsageKey  # pylint: disable=import-outside-toplevel
            stored = read_gate_state(user.username, UsageKey.from_string(gate_key))
            group_id, problem = gate_access.group_for_state(stored, user_partition.parameters.get("route_groups", {}),
                                                            user_partition.parameters.get("round", 0))
            if problem:
                log.warning("Mastery gate %s: stored state of %s is unreadable (%s); children stay hidden",
                            gate_key, user.id, problem)
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
    groups = [Group(group_id, catalog().gettext(name) if group_id < gate_access.FIRST_ROUTE_GROUP else name)
              for group_id, name in gate_access.groups(routes)]
    return UserPartition(
        id=gate_access.partition_id(gate.location.block_id),
        name=gettext("Mastery gate: %(title)s") % {"title": gate.display_name},
        description=gettext("Learners for whom this mastery gate has unlocked, by route."),
        groups=groups,
        scheme=scheme,
        parameters={"gate": str(gate.location.for_branch(None)),
                    "route_groups": gate_access.route_groups(routes), "round": gate.unlock_round},
        active=enforcing(),
    )


def create_gate_partitions(course):
    """
    One partition per mastery gate in ``course`` (the ``openedx.dynamic_partition_generator``).
    On failure: none, so the platform denies every child that names a gate partition.
    """
    # pylint: disable=import-outside-toplevel,import-error
    from xmodule.modulestore.django import modulestore
    from xmodule.partitions.partitions import UserPartition
    try:
        scheme = UserPartition.get_scheme(gate_access.SCHEME)
        gates = modulestore().get_items(course.id, qualifiers={"category": GATE_CATEGORY})
        return [gate_partition(gate, scheme) for gate in gates]
    except Exception:  # pylint: disable=broad-except
        log.exception("Mastery gate partitions for %s could not be built; gated children stay hidden",
                      getattr(course, "id", None))
        return []
