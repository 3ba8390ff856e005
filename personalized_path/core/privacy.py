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
