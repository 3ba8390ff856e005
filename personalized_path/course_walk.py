"""
The one walk of the course tree: depth-first in course order, each block once, bounded so that a
huge course cannot stall a request. Used for the blocks a learning plan finds, the blocks inside a
gate, Studio's catalogue of the course and the LMS's preloading walk over required blocks.
"""
from xblock.core import XBlockMixin

from .links import AUTHORED

# How many blocks a walk of the course tree visits at most (a course outline is rarely bigger).
COURSE_WALK_LIMIT = 3000
# How far up a walk looks for the top of the course (course, section, subsection, unit, and more).
MAX_ANCESTORS = 20
# Block types known to have no children: a walk of the course tree need not load them.
LEAF_TYPES = frozenset((
    "html", "problem", "video", "discussion", "html_demo", "personalized_self_assessment",
    "personalized_choice_board", "personalized_skill_check", "personalized_goal_reflection",
    "personalized_learning_plan",
))


def children_of(block):
    return getattr(block, "children", None) or []


class CourseWalk:
    """
    Walks from ``roots`` (usage ids), yielding ``(usage_id, block, ancestors)`` for at most ``limit``
    blocks: ``block`` is what ``load(usage_id)`` gives (None when it cannot load or need not be
    loaded), ``ancestors`` the loaded blocks above it in the walk. ``skip`` ids are left out with
    everything below them; ``next_of(block)`` gives where to go from a block (its children).
    ``truncated`` tells, after the walk, whether it stopped at the limit.
    """

    def __init__(self, roots, load, *, next_of=children_of, skip=(), limit=COURSE_WALK_LIMIT):
        self.roots, self.load, self.next_of, self.limit = list(roots), load, next_of, limit
        self.skip = {str(usage_id) for usage_id in skip}
        self.truncated = False

    def __iter__(self):
        stack, seen = [(root, ()) for root in reversed(self.roots)], set()
        while stack:
            usage_id, ancestors = stack.pop()
            key = str(usage_id)
            if key in seen or key in self.skip:
                continue
            if len(seen) >= self.limit:
                self.truncated = True
                return
            seen.add(key)
            block = self.load(usage_id)
            yield usage_id, block, ancestors
            if block is not None:
                inner = ancestors + (block,)
                stack.extend((child, inner) for child in reversed(list(self.next_of(block))))


class CourseWalkMixin(XBlockMixin):
    """Finding other blocks of the course by walking its tree (as authored, nothing of a learner's)."""

    def course_root(self):
        """The top of the tree this block is in: the course, or the workbench scenario."""
        top = self
        for _level in range(MAX_ANCESTORS):
            parent = self.linked(top.parent, AUTHORED)
            if parent is None:
                break
            top = parent
        return top

    def walk_load(self, usage_id):
        """A block for a walk that needs only the ids of leaves: leaf types are not loaded."""
        return None if self.block_type_of(usage_id) in LEAF_TYPES else self.linked(usage_id, AUTHORED)

    def course_blocks(self, block_types, limit=COURSE_WALK_LIMIT):
        """
        Usage ids of the blocks of ``block_types`` in this block's course, in course order. Whoever
        shows the blocks found loads them for the learner, with the platform's access checks.
        """
        found = []
        for usage_id, block, _ancestors in CourseWalk([self.course_root().scope_ids.usage_id], self.walk_load,
                                                      limit=limit):
            kind = self.block_type_of(usage_id)
            if kind in LEAF_TYPES:  # its type is in its id: it was not loaded
                if kind in block_types:
                    found.append(str(usage_id))
            elif block is not None and block.scope_ids.block_type in block_types:
                found.append(str(block.scope_ids.usage_id))
        return found

    def descendant_ids(self):
        """Usage ids of everything inside this block."""
        return {str(usage_id) for usage_id, _block, _ancestors in CourseWalk(children_of(self), self.walk_load)}

    def block_type_of(self, usage_id):
        """A block's type from its id alone (both the LMS's and the workbench's ids carry it), or None."""
        try:
            reader = self.runtime.id_reader
            return reader.get_block_type(reader.get_definition_id(usage_id))
        except Exception:  # pylint: disable=broad-except
            return None

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
        target, known = str(self.scope_ids.usage_id), {str(block.scope_ids.usage_id): block}

        def next_of(current):
            declared = getattr(current, "declared_blocks", None)
            found = list(current.children) if getattr(current, "has_children", False) else []
            for item in declared() if callable(declared) else ():
                known[str(item.scope_ids.usage_id)] = item  # loaded already: not again
                found.append(item.scope_ids.usage_id)
            return found

        walk = CourseWalk([block.scope_ids.usage_id], lambda usage_id: known.get(str(usage_id)) or
                          self.linked(usage_id, AUTHORED), next_of=next_of)
        if any(str(usage_id) == target for usage_id, _block, _ancestors in walk):
            return True
        return walk.truncated
