"""
Links to other blocks of the course: the reference fields that hold them, and reading the blocks
they name, for the learner, for this learner's stored state, or as authored.
"""
import logging

from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import UsageKey
from xblock.core import XBlockMixin

from .course_walk import CourseWalk
from .fields import Reference, ReferenceList
from .platform_glue import LINKED_VIEW_SETTING, platform_function

log = logging.getLogger(__name__)
OWN_BLOCK_TYPE_PREFIX = "personalized_"


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
    """The blocks this one's reference fields name, read safely: a deleted or foreign one is None."""

    #: ``{reference field: method this block calls on the blocks it names}`` for every reference
    #: whose learner state this block reads; the method also tells a block of the right kind.
    linked_state_readers = {}

    def load_linked(self, reference, reader=None):
        """
        The block ``reference`` names, bound to the same learner as this one; None when unset,
        missing or deleted, or (given ``reader``) when it lacks that method or attribute.
        """
        return self._linked(reference, reader, self.runtime.get_block)

    def read_linked(self, reference, reader=None):
        """
        Like ``load_linked``, for reading this learner's state in a linked block of ours. Where the
        platform offers a cheaper way (``PERSONALIZED_PATH_LINKED_VIEW``: in the LMS, the block as
        authored with this learner's state, see openedx/linked.py), that, without the LMS's access
        check on the block and its ancestors, which ``load_linked`` keeps for what learners are shown.
        """
        view_of = platform_function(LINKED_VIEW_SETTING)
        if view_of is None or not str(getattr(as_usage_key(reference), "block_type", "")).startswith(
                OWN_BLOCK_TYPE_PREFIX):
            return self.load_linked(reference, reader)
        return self._linked(reference, reader, lambda key: view_of(self, key) or self.runtime.get_block(key))

    def _linked(self, reference, reader, load):
        if not reference:
            return None
        try:
            block = load(as_usage_key(reference))
        except Exception as error:  # pylint: disable=broad-except
            # Deleted blocks, ids from another course or runtime: never a 500.
            log.warning("%s cannot load linked block %s: %s", self.scope_ids.usage_id, reference, error)
            return None
        if reader and not getattr(block, reader, None):
            return None
        return block

    def references(self, field_name):
        """The references a Reference or ReferenceList field holds."""
        value = getattr(self, field_name)
        return value if isinstance(value, list) else [value]

    def linked_blocks(self, field_name):
        """The blocks a Reference or ReferenceList field names, read for this learner's state in them."""
        reader = self.linked_state_readers.get(field_name)
        found = (self.read_linked(ref, reader) for ref in self.references(field_name))
        return [block for block in found if block is not None]

    def linked_block(self, field_name):
        """The block a Reference field names, or None (see ``linked_blocks``)."""
        blocks = self.linked_blocks(field_name)
        return blocks[0] if blocks else None

    def declared_blocks(self):
        """
        Every block whose learner state this one reads, each once (never this block), as authored:
        the LMS asks for them while it loads learner state, before anything is shown.
        """
        found, seen = [], {str(self.scope_ids.usage_id)}
        for field_name, reader in self.linked_state_readers.items():
            for block in filter(None, (self.authored_block(ref, reader) for ref in self.references(field_name))):
                key = str(block.scope_ids.usage_id)
                if key not in seen:
                    seen.add(key)
                    found.append(block)
        return found

    def get_required_block_descriptors(self):
        """
        The blocks whose learner state this one reads. The LMS preloads learner state only for the
        rendered block's subtree and the blocks named here (as for its ConditionalBlock); any other
        block reads as empty. The platform walks these lists recursively with no visited set, so a
        block from which this one can be reached again is left out (and reads as empty here).
        """
        return [block for block in self.declared_blocks() if not self.reachable_from(block)]

    def reachable_from(self, block):
        """Whether the preloading walk from ``block`` (children and declared blocks) comes back here."""
        target, start = str(self.scope_ids.usage_id), block.scope_ids.usage_id

        def next_of(current):
            declared = getattr(current, "declared_blocks", None)
            found = list(current.children) if getattr(current, "has_children", False) else []
            return found + [item.scope_ids.usage_id for item in (declared() if callable(declared) else ())]

        walk = CourseWalk([start], lambda usage_id: block if usage_id is start else self.authored_block(usage_id),
                          next_of=next_of)
        if any(str(usage_id) == target for usage_id, _block, _ancestors in walk):
            return True
        return walk.truncated

    def authored_block(self, reference, reader=None):
        """
        The block as authored, for what needs nothing of a learner's: walks of the course's structure
        and the blocks handed to the LMS while it loads learner state (``declared_blocks``). Where the
        runtime hands blocks out so (the modulestore's ``load_item``), that; the LMS's ``get_block``
        would bind each block to the learner with an access check up its ancestors (a walk of a
        36-unit course took 270 ms so). Elsewhere as ``load_linked``.
        """
        return self._linked(reference, reader, getattr(self.runtime, "load_item", None) or self.runtime.get_block)
