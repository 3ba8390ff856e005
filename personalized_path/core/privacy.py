"""
What learners may see of anonymous class counts (``user_state_summary``).

Two rules: no count built from fewer than ``MIN_LEARNERS`` learners is shown, and no shown
count reveals one learner's single submission. Learners therefore never see the live counts,
only a copy taken once every ``BATCH`` submissions: between two copies nothing they see
changes, and two copies differ by at least ``BATCH`` submissions. Staff see the live counts.
"""
import copy

MIN_LEARNERS = 5
BATCH = 5
_OWN_KEYS = ("shown", "pending")


def _whole(value):
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def counted_learners(counts):
    """The ``learners`` total of a counts dict, 0 when missing or garbled."""
    return _whole(counts.get("learners")) if isinstance(counts, dict) else 0


def record_change(previous, updated, batch=BATCH, minimum=MIN_LEARNERS):
    """
    ``updated`` (the live counts after one submission) with the learners' copy carried over
    from ``previous``, refreshed when this is the ``batch``-th submission since the last copy
    and the counts cover at least ``minimum`` learners.
    """
    previous = previous if isinstance(previous, dict) else {}
    live = {key: value for key, value in updated.items() if key not in _OWN_KEYS}
    shown = previous.get("shown") if isinstance(previous.get("shown"), dict) else None
    pending = _whole(previous.get("pending")) + 1
    if pending >= batch and counted_learners(live) >= minimum:
        shown, pending = copy.deepcopy(live), 0
    return dict(live, shown=shown, pending=pending)


def shown_to_learners(summary, minimum=MIN_LEARNERS):
    """The counts learners may see (the last copy), or None when there is none covering ``minimum`` learners."""
    shown = summary.get("shown") if isinstance(summary, dict) else None
    if not isinstance(shown, dict) or counted_learners(shown) < minimum:
        return None
    return shown


def live_counts(summary):
    """The live counts, for staff."""
    if not isinstance(summary, dict):
        return {}
    return {key: value for key, value in summary.items() if key not in _OWN_KEYS}


# --- retirement: what of a learner's own words our blocks keep -------------------------------------

#: Per block type, the state keys under which a learner (or staff, about them) wrote free text. Under
#: such a key a string is erased, and so is every string of a dict (evidence per statement, the
#: if-then plan); lists there hold ids (a session's question plan), never text.
FREE_TEXT_KEYS = {
    "personalized_self_assessment": ("evidence",),
    "personalized_choice_board": ("note", "link"),
    "personalized_goal_reflection": ("text", "plan", "helped", "obstacles", "next_step"),
    "personalized_mastery_gate": ("reason",),
}


def erase_free_text(block_type, state):
    """
    A copy of one learner's stored state (``{field: value}``) of a block of ``block_type`` with every
    free text erased (``""``): what they typed, and staff's reasons about them. Ratings, answers,
    scores, dates, counts and ids stay, so grades, progress and class counts still add up.
    """
    keys = FREE_TEXT_KEYS.get(block_type, ())
    return _erased(state, keys) if keys else copy.deepcopy(state)


def _erased(value, keys, under_text_key=False):
    if isinstance(value, str):
        return "" if under_text_key else value
    if isinstance(value, dict):
        return {name: _erased(item, keys, under_text_key or name in keys) for name, item in value.items()}
    if isinstance(value, list):
        return [item if under_text_key and isinstance(item, str) else _erased(item, keys, under_text_key)
                for item in value]
    return value


def holds_free_text(block_type, state):
    return erase_free_text(block_type, state) != state
