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
"""
from xblock.field_data import SplitFieldData
from xblock.fields import Scope

AUTHORED_SCOPES = (Scope.content, Scope.settings, Scope.parent, Scope.children)
LEARNER_SCOPES = (Scope.user_state, Scope.user_state_summary, Scope.user_info, Scope.preferences)


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
