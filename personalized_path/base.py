"""
What every personalized_path block shares, composed of one mixin per concern: presentation
(i18n, templates, static files), requests (who asks, staff checks, events, time), learner state
with its lock, class counts, links to other blocks, walks of the course, staff tools and renamed
settings. Blocks are ``class X(PersonalizedBlockMixin, StudioEditorMixin, ..., XBlock)``.
"""
from importlib import resources

from xblock.core import XBlock, XBlockMixin
from xblock.fields import Scope
from xblock.scorable import ScorableXBlockMixin, Score

from .class_counts import ClassCountsMixin
from .core import N_
from .core.payload import PayloadError
from .course_walk import CourseWalkMixin
from .fields import Float, List, RenamedSettingsMixin, String
from .handlers import RequestMixin
from .learner_state import LearnerStateMixin
from .links import LinksMixin
from .presentation import PresentationMixin
from .staff_tools import StaffToolsMixin


@XBlock.needs("i18n")
@XBlock.wants("user")
@XBlock.wants("personalized_clock")
@XBlock.wants("studio_user_permissions")  # Studio only: who may edit the course
@XBlock.wants("cache")
@XBlock.wants("user_state")
@XBlock.wants("user_state_client")
class PersonalizedBlockMixin(PresentationMixin, RequestMixin, LearnerStateMixin, ClassCountsMixin, LinksMixin,
                             CourseWalkMixin, StaffToolsMixin, RenamedSettingsMixin):
    """
    Shared base for the blocks. A block sets ``asset_name`` (its template, CSS and JS files)
    and ``js_init`` (its global init function), and lists its learner-state fields in
    ``user_state_fields``.
    """

    # XBlock's own two settings, declared again so that their stored values are guarded like ours.
    name = String(help="Short name for the block", scope=Scope.settings)
    tags = List(help="Tags for this block", scope=Scope.settings)
    # Serve static/ of the installed package through the runtime's local resource URLs.
    resources_dir = "."
    public_dir = "static"

    @classmethod
    def workbench_scenarios(cls):
        """Scenarios from ``scenarios/<asset_name>*.xml`` (titled by their first-line comment)."""
        folder = resources.files(__package__).joinpath("scenarios")
        scenarios = []
        for entry in sorted(folder.iterdir(), key=lambda item: item.name):
            if entry.name.startswith(cls.asset_name) and entry.name.endswith(".xml"):
                xml = entry.read_text(encoding="utf-8")
                title = xml.split("-->", 1)[0].replace("<!--", "").strip()
                scenarios.append((title, xml))
        return scenarios


class CreditWhenDoneMixin(XBlockMixin, ScorableXBlockMixin):
    """
    Optional grading for blocks that are done or not: weight 0 leaves the block ungraded;
    otherwise the learner earns full credit, worth ``weight`` points, once ``is_done()``.
    """

    weight = Float(
        display_name=N_("Problem weight"), default=0.0, scope=Scope.settings, values={"min": 0, "step": 0.1},
        help=N_("0 means not graded. Otherwise finishing this activity earns full credit, worth this many points."),
    )

    @property
    def has_score(self):
        return self.weight > 0

    def is_done(self):
        raise NotImplementedError

    def award_credit(self):
        """Publish full credit, when graded (call once, when the learner first finishes)."""
        if self.has_score:
            self._publish_grade(Score(1.0, 1.0))

    def has_submitted_answer(self):
        return self.is_done()

    def get_score(self):
        return Score(1.0 if self.is_done() else 0.0, 1.0)

    def set_score(self, score):
        """Credit is derived from the learner's state, so there is nothing else to store."""

    def calculate_score(self):
        return self.get_score()

    def max_score(self):
        return 1.0

    @staticmethod
    def weight_problems(data):
        if isinstance(data.weight, bool) or not isinstance(data.weight, (int, float)) or data.weight < 0:
            return [PayloadError("weight", N_("The weight cannot be negative."))]
        return []
