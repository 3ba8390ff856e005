"""
What a choice board keeps for the class and tells others: the anonymous tile counts (kept in step
with each learner's state, and recounted from stored states), a learner's board in plain terms for
the learning plan and a mastery gate, and the rows of the instructor's report.
"""
from .core import choice_board as core
from .core import choice_board_counts as board_counts
from .core import privacy


class ChoiceBoardRecordsMixin:
    """The board's class counts, summaries and report rows; it comes before the base in the board's bases."""

    def count_tiles(self, board, state, new_state):
        """Bring the class's tile counts in line with this learner's new state."""
        self.count_in_class("tile_counts", board_counts.class_contribution(state),
                            board_counts.class_contribution(new_state), self.tile_count_change(board))

    @staticmethod
    def tile_count_change(board):
        return lambda summary, old, new: privacy.record_change(
            summary, board_counts.update_summary(summary, board, old, new))

    def class_count_rules(self):
        """The tile counts, from each learner's stored state (for the recount; a board set up wrong refuses it)."""
        boards = []

        def change(summary, old, new):
            if not boards:
                boards.append(self.usable_board()[0])
            return self.tile_count_change(boards[0])(summary, old, new)
        return {"tile_counts": (lambda stored: board_counts.class_contribution(
            self.read_state(core.STATE_SHAPE, stored.get("learner_state"))), change)}

    def summarize_state(self, state):
        """For the learning plan: a learner's stored state (all user-state fields) in plain terms."""
        stored = self.read_state(core.STATE_SHAPE, state.get("learner_state"))
        return {"chosen": [{"id": entry["id"], "title": entry["title"], "done": entry["id"] in stored["done"]}
                           for entry in stored["chosen"]],
                "committed": bool(stored["committed_at"]), "completed": bool(stored["completed_at"])}

    def is_board_complete(self):
        """For other blocks (a mastery gate's condition): whether this learner's board is complete."""
        return self.is_done()

    def generate_report_data(self, user_state_iterator, limit_responses=None):
        """One row per learner with a choice: chosen and done tiles, evidence and dates."""
        count = 0
        for user_state in user_state_iterator:
            state = self.read_state(core.STATE_SHAPE, user_state.state.get("learner_state"))
            if not state["chosen"]:
                continue
            if limit_responses is not None and count >= limit_responses:
                return
            count += 1
            done = state["done"]
            yield user_state.username, {
                "chosen": "; ".join(entry["id"] for entry in state["chosen"]),
                "done": "; ".join(tile_id for tile_id in done),
                "evidence": "; ".join(f"{tile_id}: {' '.join(part for part in (entry['note'], entry['link']) if part)}"
                                      for tile_id, entry in done.items()),
                "first_chosen_at": min(entry["at"] for entry in state["chosen"]),
                "committed_at": state["committed_at"] or "",
                "completed_at": state["completed_at"] or "",
            }
