"""
The choice board's anonymous class counts (kept in a ``user_state_summary`` field): what one
learner's state adds, the counts with one learner's share replaced, and each tile's share of the
class as the board shows it.
"""
from .choice_board import chosen_ids


def empty_summary():
    return {"version": 1, "learners": 0, "chosen": {}, "done": {}}


def class_contribution(state):
    """What one learner's state adds to the shared counts: whether they have chosen, their tiles, their done tiles."""
    return {"learner": bool(state["counted"]), "chosen": sorted(chosen_ids(state)), "done": sorted(state["done"])}


def _contribution_parts(contribution):
    """A stored contribution as ``(learner, chosen, done)``; anything unreadable counts as nothing."""
    if not isinstance(contribution, dict):
        return False, [], []

    def ids(key):
        value = contribution.get(key)
        return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []
    return contribution.get("learner") is True, ids("chosen"), ids("done")


def update_summary(summary, board, old, new):
    """
    The shared counts with one learner's contribution ``old`` replaced by ``new`` (both from
    ``class_contribution``, or None for nothing). Summing every learner's contribution gives the
    counts; garbled values are read as zero, counts never go below zero, and tiles no longer on the
    board are dropped, which keeps the summary bounded.
    """
    if not isinstance(summary, dict) or summary.get("version") != 1:
        summary = empty_summary()

    def clean(bucket):
        stored = summary.get(bucket) if isinstance(summary.get(bucket), dict) else {}
        return {tile_id: stored[tile_id] if isinstance(stored.get(tile_id), int) and stored[tile_id] > 0 else 0
                for tile_id in board.ids}
    counts = {"chosen": clean("chosen"), "done": clean("done")}
    learners = summary.get("learners")
    learners = learners if isinstance(learners, int) and not isinstance(learners, bool) and learners > 0 else 0
    for contribution, step in ((old, -1), (new, 1)):
        learner, chosen, done = _contribution_parts(contribution)
        learners += step if learner else 0
        for bucket, tile_ids in (("chosen", chosen), ("done", done)):
            for tile_id in set(tile_ids) & set(counts[bucket]):
                counts[bucket][tile_id] += step
    return {"version": 1, "learners": max(0, learners),
            **{bucket: {tile_id: max(0, count) for tile_id, count in values.items()}
               for bucket, values in counts.items()}}


def share_table(summary, board):
    """Per tile: learners choosing and finishing it, as counts and percentages of learners."""
    if not isinstance(summary, dict) or summary.get("version") != 1:
        summary = empty_summary()
    learners = summary.get("learners") if isinstance(summary.get("learners"), int) else 0
    rows = []
    for tile in board.tiles:
        counts = {}
        for bucket in ("chosen", "done"):
            stored = summary.get(bucket, {}) if isinstance(summary.get(bucket), dict) else {}
            value = stored.get(tile["id"], 0)
            value = value if isinstance(value, int) and value > 0 else 0
            # A count repaired late can stand above the learner total for a moment; never show more than 100%.
            counts[bucket] = value
            counts[bucket + "_percent"] = min(100, round(100 * value / learners)) if learners else 0
        rows.append(dict(counts, tile=tile))
    return {"learners": learners, "rows": rows}
