"""
One way to refuse a write made from a page that shows an older revision of the learner's state
(another tab or window wrote since): 409 with a sentence, the current revision and the current view.
"""
from .handlers import Conflict
from .core.state import is_stale


class RevisionedStateMixin:
    """For blocks whose learner state counts its writes in ``revision`` and whose page sends it back."""

    # An N_-marked sentence for the learner: what happened and what to do now.
    stale_revision_message = None

    def check_revision(self, state, revision):
        """Conflict (409) when ``revision`` (None: the page sent none) is not the state's current one."""
        if is_stale(revision, state["revision"]):
            raise Conflict(self._(self.stale_revision_message), stale=True, revision=state["revision"],
                           html=self.render_template(self.view_context(state)))
