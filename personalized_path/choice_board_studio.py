"""
The choice board for its authors: the settings Studio edits, their problems (the board's own
checks, the weight, the links, tile topics the linked learning plan lacks), the editor's rows for
the tiles, and the staff preview of a learner's board.
"""
from .core import N_
from .core import choice_board as core
from .core import choice_board_settings as board_settings
from .core import preview
from .core.payload import PayloadError
from .presentation import settings_problems
from . import studio


class ChoiceBoardStudioMixin:
    """What authors and course staff use of a choice board; it comes before the base and ``StudioEditorMixin``."""

    editable_fields = ("display_name", "instructions", "layout", "rows", "columns", "tiles", "rule", "choose_count",
                       "require_centre", "points_target", "must_points_cap", "may_points_cap", "allow_change",
                       "self_assessment", "learning_plan", "placement_checks", "show_stats_to_learners", "weight")

    def studio_problems(self, data):
        return (board_settings.validate_config(self.board_of(data), self.rule_of(data)) + self.weight_problems(data)
                + self.link_problems(data)
                + self.topic_problems(data))

    def topic_problems(self, data):
        """Tile topics that the linked learning plan does not offer (checked only when the plan can be read)."""
        plan = self.linked(data.learning_plan)
        if not hasattr(plan, "usable_topics") or not isinstance(data.tiles, list):
            return []
        known = [topic["id"] for topic in plan.usable_topics()]
        problems = []
        for index, tile in enumerate(data.tiles):
            topics = tile.get("topics") if isinstance(tile, dict) else None
            for topic in topics if isinstance(topics, list) else ():
                if topic not in known:
                    problems.append(PayloadError(
                        f"tiles[{index}].topics", N_("The linked learning plan has no interest topic “%(topic)s”. "
                                                     "Use one of its topics (%(known)s)."),
                        topic=str(topic)[:80], known=", ".join(known)))
        return problems

    def editor_specs(self):
        formats = self.format_labels()
        field = studio.column
        tiles = studio.rows_spec(
            [field("title", self._("Title")),
             field("description", self._("Description (optional)"), "textarea", optional=True),
             # No kind is assumed for a new tile: the author chooses one. A saved tile without one is "other".
             field("format", self._("Kind of activity"), "select", placeholder=self._("Choose a kind"),
                   saved_default="other", options=[{"value": key, "label": formats[key]} for key in core.FORMATS]),
             field("tier", self._("Must do or may do"), "select",
                   options=[{"value": "may", "label": self._("May do")},
                            {"value": "must", "label": self._("Must do")}]),
             field("minutes", self._("Minutes (optional)"), "number", integer=True, min=0, optional=True),
             field("points", self._("Points (optional)"), "number", integer=True, min=0, optional=True),
             field("link", self._("Link (optional)"), optional=True),
             studio.rows_spec([field("value", self._("Skill"), "skill")], self._("Add a skill"),
                              self._("Skill %(n)s"), key="skills", label=self._("Skills (optional)"), flat=True,
                              optional=True),
             studio.rows_spec([field("value", self._("Topic id"), "topic")], self._("Add a topic"),
                              self._("Topic %(n)s"),
                              key="topics", label=self._("Interest topics (optional)"), flat=True, optional=True,
                              help=self._("Ids of the linked learning plan's interest topics this tile is about.")),
             field("id", self._("Id"), "id", prefix="tile")],
            self._("Add a tile"), self._("Tile %(n)s"), preview="grid",
            preview_label=self._("Grid preview, row by row"))
        by_rule = {"choose_count": ["k_of_n", "must_may"], "require_centre": ["tic_tac_toe"],
                   "points_target": ["points"], "must_points_cap": ["points"], "may_points_cap": ["points"]}
        specs = {name: {"show_if": {"rule": rules}} for name, rules in by_rule.items()}
        specs.update(tiles=tiles, rows={"show_if": {"layout": ["grid"]}}, columns={"show_if": {"layout": ["grid"]}},
                     placement_checks=self.skill_checks_spec())
        return specs

    skill_lists = (("tiles", "skills"),)

    def preview_fields(self):
        board, rule = self.board_of(self), self.rule_of(self)
        if settings_problems(board_settings.validate_config, board, rule):
            return []
        options = [("", self._("Not chosen")), ("chosen", self._("Chosen")), ("done", self._("Chosen and done"))]
        return [preview.field(f"tile.{tile['id']}", tile["title"], "choice", options=options) for tile in board.tiles] \
            + [preview.field("committed", self._("Plan committed"), "yes_no")]

    def preview_html(self, values):
        """The board with the chosen tiles (committed, done), built by the same steps as the learner's."""
        board, rule = self.usable_board()
        chosen = [tile_id for tile_id in board.ids if values[f"tile.{tile_id}"]]
        done = [tile_id for tile_id in board.ids if values[f"tile.{tile_id}"] == "done"]
        when = self.now_text()
        state = core.STATE_SHAPE.default()
        if chosen:
            problem = core.too_many(board, rule, chosen)
            if problem:
                raise problem
            state = core.choose(state, board, chosen, when)
        if values["committed"] or done:
            if not core.satisfies(board, rule, chosen):
                raise PayloadError("committed", N_("A plan can be committed only when the choice meets the rule."))
            state = core.commit(state, when)
            for tile_id in done:
                state = core.mark_done(state, tile_id, "", "", when)
            state = core.complete(state, board, rule, when)
        return self.render_template(self.view_context(state), id_prefix="preview-")
