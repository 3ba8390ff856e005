"""
A linked block of ours, for reading the learner's state in it, without the LMS binding it again.

In the LMS, ``runtime.get_block`` binds a block to the learner each time (``get_block_for_descriptor``):
it checks the learner's access to the block, which walks and binds each of its ancestors, and costs
time and a query per linked block per render (benchmarks/README.md, "In the real LMS"). A gate, a board
or a goal reflection that reads a skill check's answers needs none of that: only the block's settings
and this learner's state.

``learner_view`` builds that reader the way the platform binds a block (``bind_for_student`` sets
``_bound_field_data``, which split's runtime hands out as the block's field data): settings from the
block as authored (the modulestore's copy, loaded once per request), learner state from the reading
block's own field data, that is, the same per-request cache the LMS preloaded and would bind with.
Blocks name this function by the Django setting ``PERSONALIZED_PATH_LINKED_VIEW`` and never import it.
``bound_view`` is the same binding for any learner-state source (the gate partition's decision).

``learner_may_see`` keeps the platform's access rules for what a learner is shown of such a block
(the learning plan's summaries, named by ``PERSONALIZED_PATH_SHOWN_CHECK``): the LMS's own
``has_access(user, "load", block)`` (staff only, release dates, group access: cohorts, enrollment
tracks, a locked mastery gate's partitions), with the block's ancestors read as authored, so that the
check binds none of them for the learner as ``runtime.get_block`` would.
"""
from xblock.field_data import SplitFieldData
from xblock.fields import Scope

AUTHORED_SCOPES = (Scope.content, Scope.settings, Scope.parent, Scope.children)
LEARNER_SCOPES = (Scope.user_state, Scope.user_state_summary, Scope.user_info, Scope.preferences)
AUTHORED_PARENTS = "personalized_path.authored_parents"


def learner_view(reader, usage_key):
    """
    The block ``usage_key`` as ``reader``'s learner sees it, or None where the runtime cannot hand out
    blocks as authored (it has no ``load_item``), does not serve ``_bound_field_data``, or ``reader`` is
    not bound to a learner. Raises what the modulestore raises for a block that is not there.
    """
    runtime = reader.runtime
    load_item = getattr(runtime, "load_item", None)
    if load_item is None or reader.scope_ids.user_id is None:
        return None
    return bound_view(load_item(usage_key), reader.scope_ids.user_id,
                      reader._field_data)  # pylint: disable=protected-access


def bound_view(authored, user_id, learner_data):
    """
    A new instance of the block ``authored`` bound to ``user_id``: its settings as authored, learner
    state from ``learner_data``; None where the runtime has no unbound field data or ignores the binding.
    """
    runtime = authored.runtime
    authored_data = runtime.service(authored, "field-data-unbound")
    if authored_data is None:
        return None
    view = type(authored)(runtime=runtime, scope_ids=authored.scope_ids._replace(user_id=user_id))
    bound = SplitFieldData(
        {**{scope: authored_data for scope in AUTHORED_SCOPES}, **{scope: learner_data for scope in LEARNER_SCOPES}})
    view._bound_field_data = bound  # pylint: disable=protected-access
    # A runtime whose field-data service ignores the binding would read nothing: bind through it then.
    return view if runtime.service(view, "field-data") is bound else None


def learner_may_see(reader, block):
    """
    Whether the platform lets ``reader``'s learner load ``block`` (a linked view of it): True or False;
    None where it cannot tell (no LMS here, or no user), and the caller binds the block as usual.
    """
    try:
        from lms.djangoapps.courseware.access import has_access  # pylint: disable=import-outside-toplevel
    except ImportError:
        return None
    user = getattr(reader.runtime.service(reader, "user"), "_django_user", None)
    load_item = getattr(reader.runtime, "load_item", None)
    if user is None or load_item is None:
        return None
    with_authored_ancestors(block, load_item)
    return bool(has_access(user, "load", block, block.scope_ids.usage_id.course_key))


def with_authored_ancestors(block, load_item, limit=20):
    """
    Give ``block`` and its ancestors their parents as the modulestore holds them, where none is cached
    yet: XBlock's ``get_parent`` would load each through the LMS's ``get_block``, which binds it for the
    learner (and checks access up its own ancestors). The access check reads only their settings. Each
    parent is loaded once per request (the sources of a plan share most of theirs).
    """
    # pylint: disable-next=import-outside-toplevel
    from edx_django_utils.cache import RequestCache
    loaded = RequestCache(AUTHORED_PARENTS)
    current = block
    for _level in range(limit):
        if current.parent is None or current.has_cached_parent:
            return
        found = loaded.get_cached_response(str(current.parent))
        parent = found.value if found.is_found else load_item(current.parent)
        if not found.is_found:
            loaded.set(str(current.parent), parent)
        current._parent_block, current._parent_block_id = parent, current.parent
        current = parent
