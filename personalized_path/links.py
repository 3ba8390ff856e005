"""
Links to other blocks of the course: the reference fields that hold them, and reading the blocks
they name, for the learner, for this learner's stored state, or as authored.
"""
import logging
from dataclasses import dataclass

from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import UsageKey
from xblock.core import XBlockMixin

from .fields import Reference, ReferenceList
from .platform_glue import LINKED_VIEW_SETTING, SHOWN_CHECK_SETTING, platform_function

log = logging.getLogger(__name__)
OWN_BLOCK_TYPE_PREFIX = "personalized_"

# What another block can do, found from the methods blocks agree on (see DESIGN.md): the kinds of
# block a link can need, and what Studio's pickers offer.
KINDS = {
    "scorable": lambda block: bool(getattr(block, "has_score", False)),
    "skill_check": lambda block: hasattr(block, "skill_attempts"),
    "self_assessment": lambda block: hasattr(block, "learner_skill_levels"),
    "choice_board": lambda block: hasattr(block, "is_board_complete"),
    "goal_reflection": lambda block: hasattr(block, "has_goals_set"),
    "mastery_gate": lambda block: hasattr(block, "is_unlocked"),
    "learning_plan": lambda block: hasattr(block, "learner_interests"),
    # Blocks a learning plan can show: every block of this package that has a learner summary.
    "personalized": lambda block: hasattr(block, "learner_summary") and not hasattr(block, "learner_interests"),
}

# How a linked block is read (see LinksMixin.linked).
LEARNER = "learner"  # as the learner is shown it: bound to them, with the platform's access checks
STATE = "state"  # for this learner's state in it, the platform's cheaper way where it has one
SHOWN = "shown"  # as STATE, for a summary shown to the learner: only where the platform lets them see it
AUTHORED = "authored"  # as authored, nothing of a learner's: structure, settings, kinds

# What a link check finds (see LinksMixin.link_status).
LINK_OK, MISSING, WRONG_KIND = "ok", "missing", "wrong_kind"


@dataclass(frozen=True)
class Link:
    """
    What a reference field links to: blocks of ``kind`` (one of KINDS), on which this block calls
    ``reads`` for the learner's state. The LMS preloads that state (``declared_blocks``) unless
    ``preload`` is off, where the linked block can reach back here (the platform's walk must not loop).
    """

    kind: str
    reads: str = None
    preload: bool = True


def as_usage_key(reference):
    """
    A reference as the runtime loads it: a usage key as it is, the text of a usage key parsed into
    one, any other id (the workbench's plain string ids) unchanged.
    """
    if reference is None or isinstance(reference, UsageKey):
        return reference
    try:
        return UsageKey.from_string(str(reference))
    except InvalidKeyError:
        return str(reference)


def reference_text(value):
    """A usage key as its text; anything else unchanged."""
    return str(value) if isinstance(value, UsageKey) else value


class BlockReference(Reference):
    """
    A reference to another block of the course. In the LMS it holds a ``UsageKey`` (the
    modulestore hands references back as keys, and the platform's importer and exporter map them
    between courses), which ``json.dumps`` refuses: OLX export writes the key's text instead.
    """

    def to_string(self, value):
        return super().to_string(reference_text(value))


class BlockReferenceList(ReferenceList):
    """A list of references to other blocks of the course, exported to OLX as their texts."""

    def to_string(self, value):
        return super().to_string([reference_text(item) for item in value] if isinstance(value, list) else value)


class LinksMixin(XBlockMixin):
    """
    The blocks this one's reference fields name. A block declares once, in ``links``, what each
    field links to and what it reads there; the blocks the LMS preloads, Studio's link checks and
    the staff warnings follow from it. A deleted or foreign block reads as None, never a 500.
    """

    #: ``{reference field: Link}``
    links = {}

    def linked(self, reference, view=LEARNER, reads=None):
        """
        The block ``reference`` names, read as ``view`` says (LEARNER, STATE, SHOWN or AUTHORED); None
        when unset, missing, deleted, from another course, or (given ``reads``) lacking that method.

        LEARNER binds it to the same learner as this one, through the runtime with its access checks.
        STATE is for this learner's state in a block of ours: where the platform offers a cheaper way
        (``PERSONALIZED_PATH_LINKED_VIEW``: in the LMS, the block as authored with this learner's
        state, see openedx/linked.py), that, without the access check on the block and its ancestors.
        SHOWN is STATE for what this learner is shown of the block (the learning plan's summaries):
        None where the platform's own check (``PERSONALIZED_PATH_SHOWN_CHECK``: in the LMS its
        ``has_access``, without binding the ancestors) says the learner may not see it; where either
        is missing, as LEARNER.
        AUTHORED is the modulestore's ``load_item`` where the runtime has it: the LMS's ``get_block``
        would bind each block to the learner with an access check up its ancestors (costly over a
        course walk: benchmarks/README.md); elsewhere as LEARNER.
        """
        if not reference:
            return None
        key = as_usage_key(reference)
        load, view_of, may_see = self.runtime.get_block, None, None
        if view == AUTHORED:
            load = getattr(self.runtime, "load_item", None) or load
        elif view in (STATE, SHOWN) and str(getattr(key, "block_type", "")).startswith(OWN_BLOCK_TYPE_PREFIX):
            view_of = platform_function(LINKED_VIEW_SETTING)
            may_see = platform_function(SHOWN_CHECK_SETTING) if view == SHOWN else None
            view_of = view_of if view == STATE or may_see else None
        try:
            block = view_of(self, key) if view_of else None
            seen = may_see(self, block) if may_see and block is not None else True
            if seen is None:  # the platform cannot tell here: bind it, with its checks
                block = None
            elif not seen:
                return None
            block = block or load(key)
        except Exception as error:  # pylint: disable=broad-except
            # Deleted blocks, ids from another course or runtime: never a 500.
            log.warning("%s cannot load linked block %s: %s", self.scope_ids.usage_id, reference, error)
            return None
        if reads and not getattr(block, reads, None):
            return None
        return block

    def linked_by(self, field_name, view=STATE):
        """
        What ``field_name`` links to, read for this learner's state in it (or as ``view`` says) and
        kept only where it has what the field's Link reads: for a list field the blocks that load,
        for a single reference the block or None.
        """
        reads = self.links[field_name].reads
        value = getattr(self, field_name)
        if not isinstance(value, list):
            return self.linked(value, view, reads)
        found = (self.linked(ref, view, reads) for ref in value)
        return [block for block in found if block is not None]

    def link_refs(self, data=None):
        """``(field name, place, reference)`` for each link in ``data`` (this block, or a preview of its settings)."""
        for field_name in self.links:
            value = getattr(self if data is None else data, field_name)
            places = [(f"{field_name}[{index}]", ref) for index, ref in enumerate(value)] \
                if isinstance(value, list) else [(field_name, value)]
            for place, ref in places:
                if ref:
                    yield field_name, place, ref

    def link_status(self, field_name, ref):
        """LINK_OK when ``ref`` names a block of the kind ``field_name`` links to; else MISSING or WRONG_KIND."""
        block = self.linked(ref, AUTHORED)
        if block is None:
            return MISSING
        try:
            return LINK_OK if KINDS[self.links[field_name].kind](block) else WRONG_KIND
        except Exception:  # pylint: disable=broad-except
            log.info("%s cannot tell what the linked block %s is", self.scope_ids.usage_id, ref, exc_info=True)
            return WRONG_KIND

    def declared_blocks(self):
        """
        Every block whose learner state this one reads, each once (never this block), as authored:
        the LMS asks for them while it loads learner state, before anything is shown.
        """
        found, seen = [], {str(self.scope_ids.usage_id)}
        for field_name, _place, ref in self.link_refs():
            link = self.links[field_name]
            block = self.linked(ref, AUTHORED, link.reads) if link.preload and link.reads else None
            key = str(block.scope_ids.usage_id) if block is not None else None
            if key is not None and key not in seen:
                seen.add(key)
                found.append(block)
        return found

    def link_to(self, ref):
        """A jump_to link to a block in the LMS; None where the runtime has no course URLs (the workbench)."""
        key = as_usage_key(ref)
        course_key = getattr(key, "course_key", None)
        return f"/courses/{course_key}/jump_to/{key}" if course_key else None
