"""
Choice board block: learners choose activities from a board under the author's rule, then do them.
Its Studio editor and staff preview are in ``choice_board_studio``; its class counts, summaries
and report rows in ``choice_board_records``.
"""
import logging

from xblock.completable import CompletableXBlockMixin
from xblock.core import XBlock
from xblock.fields import Scope

from .fields import Boolean, Dict, Integer, List, String
from .base import CreditWhenDoneMixin, PersonalizedBlockMixin
from .choice_board_records import ChoiceBoardRecordsMixin
from .choice_board_studio import ChoiceBoardStudioMixin
from .dates import parse_iso
from .handlers import json_api
from .links import BlockReference, BlockReferenceList, Link
from .presentation import settings_problems
from .core import N_
from .core import privacy
from .core import choice_board as core
from .core import choice_board_counts as board_counts
from .core import choice_board_settings as board_settings
from .core.payload import PayloadError
from .revisions import RevisionedStateMixin
from .studio import StudioEditorMixin

log = logging.getLogger(__name__)
_ = N_  # field labels are marked here and translated when Studio shows them

DEFAULT_TILES = [
    {"id": "read-chapter", "title": N_("Read the chapter"), "description": N_("Read and take notes on the key ideas."),
     "format": "reading", "minutes": 30, "points": 10, "skills": [], "tier": "may"},
    {"id": "watch-talk", "title": N_("Watch the talk"),
     "description": N_("Watch the short talk and note two questions."),
     "format": "video", "minutes": 15, "points": 10, "skills": [], "tier": "may"},
    {"id": "discuss", "title": N_("Join the discussion"), "description": N_("Answer the prompt and reply to a peer."),
     "format": "discussion", "minutes": 20, "points": 10, "skills": [], "tier": "may"},
    {"id": "practice-set", "title": N_("Practice set"), "description": N_("Work through the practice problems."),
     "format": "practice", "minutes": 25, "points": 10, "skills": [], "tier": "may"},
]


class ChoiceBoardBlock(ChoiceBoardRecordsMixin, ChoiceBoardStudioMixin, RevisionedStateMixin, PersonalizedBlockMixin,
                       StudioEditorMixin, CreditWhenDoneMixin, CompletableXBlockMixin, XBlock):
    """A board of activities; each learner commits to a plan the rule allows and marks tiles done."""

    asset_name = "choice_board"
    js_init = "PersonalizedChoiceBoard"
    user_state_fields = ("learner_state",)
    stale_revision_message = N_("Your board changed in another tab or window. This is your latest board; "
                                "please try again.")

    display_name = String(display_name=_("Title"), default=N_("Choose how you learn"), scope=Scope.settings,
                          translated_default=True)
    instructions = String(
        display_name=_("Instructions"), multiline_editor=True, scope=Scope.content, translated_default=True,
        default=N_("Pick the activities that suit you, commit to your plan, then mark each one done."),
    )
    layout = String(
        display_name=_("Layout"), default="list", scope=Scope.content,
        values=[{"display_name": _("List"), "value": "list"}, {"display_name": _("Grid"), "value": "grid"}],
    )
    rows = Integer(display_name=_("Grid rows"), default=3, scope=Scope.content, values={"min": 1, "max": 5})
    columns = Integer(display_name=_("Grid columns"), default=3, scope=Scope.content, values={"min": 1, "max": 5})
    tiles = List(
        display_name=_("Tiles"), scope=Scope.content, default=DEFAULT_TILES, translated_default=True,
        help=_("The activities, row by row in a grid. Learners' choices are stored under each tile's id, "
               "so keep ids once learners have chosen."),
    )
    rule = String(
        display_name=_("Rule"), default="k_of_n", scope=Scope.content,
        values=[{"display_name": _("Choose k of n"), "value": "k_of_n"},
                {"display_name": _("Tic-tac-toe line"), "value": "tic_tac_toe"},
                {"display_name": _("Reach a points target"), "value": "points"},
                {"display_name": _("Every must-do plus k may-do"), "value": "must_may"}],
    )
    choose_count = Integer(display_name=_("k (tiles to choose)"), default=2, scope=Scope.content,
                           help=_("For k of n: tiles to choose. For must and may: may-do tiles to choose."))
    require_centre = Boolean(display_name=_("Tic-tac-toe: line must use the centre tile"), default=False,
                             scope=Scope.content)
    points_target = Integer(display_name=_("Points target"), default=0, scope=Scope.content)
    must_points_cap = Integer(display_name=_("Points cap for must-do tiles (0 = none)"), default=0,
                              scope=Scope.content)
    may_points_cap = Integer(display_name=_("Points cap for may-do tiles (0 = none)"), default=0, scope=Scope.content)
    allow_change = Boolean(display_name=_("Allow changes after committing"), default=True, scope=Scope.settings)
    self_assessment = BlockReference(
        display_name=_("Linked self-assessment"), default=None, scope=Scope.settings,
        help=_("Tiles whose skills match the learner's lowest ratings in this self-assessment are suggested."),
    )
    learning_plan = BlockReference(
        display_name=_("Linked learning plan"), default=None, scope=Scope.settings,
        help=_("Tiles tagged with an interest topic that the learner picked in this learning plan are suggested."),
    )
    placement_checks = BlockReferenceList(
        display_name=_("Placement checks"), default=[], scope=Scope.settings,
        help=_("Skill checks in placement mode: skills a learner was placed as already knowing are not "
               "suggested to them."),
    )
    show_stats_to_learners = Boolean(display_name=_("Show learners how often each tile is chosen"),
                                     default=False, scope=Scope.settings)

    learner_state = Dict(scope=Scope.user_state, help="Choices, plan and done tiles (versioned shape).")
    tile_counts = Dict(scope=Scope.user_state_summary, help="Anonymous counts of learners choosing/finishing tiles.")

    # The plan is not preloaded: it declares this board, and the LMS's preloading walk must not loop.
    links = {"self_assessment": Link("self_assessment", reads="learner_ratings"),
             "learning_plan": Link("learning_plan", reads="learner_interests", preload=False),
             "placement_checks": Link("skill_check", reads="placement_results")}

    @staticmethod
    def board_of(data):
        return core.Board(tiles=tuple(data.tiles or ()), layout=data.layout, rows=data.rows, columns=data.columns)

    @staticmethod
    def rule_of(data):
        return core.Rule(kind=data.rule, k=data.choose_count, require_centre=data.require_centre,
                         target=data.points_target, must_cap=data.must_points_cap, may_cap=data.may_points_cap)

    def state(self):
        return self.read_state(core.STATE_SHAPE, self.learner_state)

    def can_change(self, state, board):
        return not state["committed_at"] or self.allow_change or bool(core.stale_choices(state, board))

    # --- views -------------------------------------------------------------------------------

    @XBlock.supports("multi_device")  # checked at 375 px in the browser tests, data in student_view_data
    def student_view(self, context=None):  # pylint: disable=unused-argument
        html = self.render_template(self.view_context(self.state()))
        return self.build_fragment(html, {"messages": self.js_messages(
            need_evidence=N_("Add a short note or a link that shows what you did."),
            committed=N_("Your plan is committed."),
            done=N_("Marked done."),
            suggestions_updated=N_("Your suggestions on this board are updated."),
        )})

    def view_context(self, state):
        board, rule = self.board_of(self), self.rule_of(self)
        broken = settings_problems(board_settings.validate_config, board, rule)
        if broken:
            return {"title": self.display_name, "broken": [problem.render(self._) for problem in broken]}
        chosen = core.current_choice(state, board, rule)
        suggestions = core.recommendations(board, self.linked_ratings(), known=self.placed_skills())
        interests = core.interest_matches(board, self.linked_interests())
        formats = self.format_labels()
        # Each sentence translated once per view, not once per tile (every lookup costs as much as a tile).
        centre_text, position_text = (self._("Row %(row)s, column %(column)s (centre)"),
                                      self._("Row %(row)s, column %(column)s"))
        minutes_text, points_text = self._("%(minutes)s min"), self._("%(points)s points")
        reasons = {tile["id"]: self.tile_reason(suggestions.get(tile["id"]), interests.get(tile["id"]))
                   for tile in board.tiles}
        # A reason several tiles share is said once, above the board; a tile keeps its own reason only.
        said = [reason for reason in reasons.values() if reason]
        shared = {reason: said.count(reason) for reason in said if said.count(reason) > 1}
        tiles = []
        for index, tile in enumerate(board.tiles):
            row, column = board.position(index)
            reason = reasons[tile["id"]]
            tiles.append({
                "tile": tile, "row": row, "column": column, "chosen": tile["id"] in chosen,
                # Optional keys given here: a key a tile lacks is the slowest lookup a template makes.
                "description": tile.get("description"), "link": tile.get("link"),
                "done": tile["id"] in state["done"], "format": formats[tile.get("format", "other")],
                "must": tile.get("tier") == "must", "centre": tile["id"] == board.centre,
                "suggested": bool(reason), "reason": reason if reason not in shared else None,
                # Formatted here, once per tile, rather than by a blocktrans per tile in the template.
                "position": (centre_text if tile["id"] == board.centre else position_text) % {
                    "row": row, "column": column},
                "minutes": tile.get("minutes") and minutes_text % {"minutes": tile["minutes"]},
                "points": tile.get("points") and points_text % {"points": tile["points"]},
            })
        by_id = {item["tile"]["id"]: item for item in tiles}
        plan = [dict(by_id[tile_id], evidence=state["done"].get(tile_id)) for tile_id in chosen if tile_id in by_id]
        for item in plan:
            item["done_at"] = parse_iso(item["evidence"]["at"]) if item["evidence"] else None
        status = core.progress(board, rule, chosen)
        committed = bool(state["committed_at"])
        stats, staff = None, self.is_staff()
        if staff:
            stats = board_counts.share_table(privacy.live_counts(self.tile_counts), board)
        elif self.show_stats_to_learners:
            shown = privacy.shown_to_learners(self.tile_counts)
            stats = board_counts.share_table(shown, board) if shown else None
        return {
            "title": self.display_name, "instructions": self.instructions, "grid": board.layout == "grid",
            "broken": (),  # given, not left out: a key the context lacks is the slowest lookup a template makes
            "columns": board.columns, "tiles": tiles, "plan": plan, "rule_text": self.rule_text(board, rule),
            "progress": [self.say(*message) for message in status["messages"]],
            "progress_value": status["value"], "progress_out_of": status["out_of"],
            "satisfied": status["satisfied"], "committed": committed,
            "committed_at": parse_iso(state["committed_at"]) if committed else None,
            "completed_at": parse_iso(state["completed_at"]) if state["completed_at"] else None,
            "can_change": self.can_change(state, board), "stale": core.stale_choices(state, board),
            "done_count": len([item for item in plan if item["evidence"]]),
            "note_hint": self.at_most_text(core.NOTE_MAX_CHARS), "link_max": core.LINK_MAX_CHARS, "stats": stats,
            "note_maxlength": str(core.NOTE_MAX_CHARS), "link_maxlength": str(core.LINK_MAX_CHARS),
            "stats_wait": self.show_stats_to_learners and not staff and stats is None,
            "stats_min": privacy.MIN_LEARNERS, "stats_batch": privacy.BATCH,
            "staff": staff, "revision": state["revision"], "watch": self.watched_ids(),
            "shared_reasons": [{"text": text, "count": count} for text, count in shared.items()],
        }

    def tile_reason(self, rating, topic):
        """Why a tile is suggested to this learner (their rating, else an interest of theirs), or None."""
        if rating:
            return self.suggestion_reason(rating)
        if topic:
            return self._("It is about %(topic)s, one of your interests.") % {"topic": topic}
        return None

    def watched_ids(self):
        """Usage ids of the blocks whose learner actions change the suggestions, for the script to refresh them."""
        refs = [self.self_assessment, self.learning_plan] + list(self.placement_checks)
        return " ".join(sorted({str(ref) for ref in refs if ref}))

    def suggestion_reason(self, reason):
        if reason.get("label"):
            return self._('You rated "%(statement)s" as "%(label)s".') % reason
        return self._('You rated "%(statement)s" at %(level)s of %(out_of)s.') % reason

    def format_labels(self):
        return self.translated_once("formats", lambda: {
            "reading": self._("Reading"), "video": self._("Video"), "project": self._("Project"),
            "discussion": self._("Discussion"), "practice": self._("Practice"), "other": self._("Activity")})

    def rule_text(self, board, rule):
        if rule.kind == "k_of_n":
            return self.ngettext("Choose %(k)s of the %(n)s activities.", "Choose %(k)s of the %(n)s activities.",
                                 len(board.tiles)) % {"k": rule.k, "n": len(board.tiles)}
        if rule.kind == "tic_tac_toe":
            if rule.require_centre:
                return self._("Choose a complete row, column or diagonal that passes through the centre tile.")
            return self._("Choose a complete row, column or diagonal.")
        if rule.kind == "points":
            text = self.ngettext("Choose activities worth at least %(target)s point.",
                                 "Choose activities worth at least %(target)s points.",
                                 rule.target) % {"target": rule.target}
            if rule.must_cap:
                text += " " + self.ngettext("At most %(cap)s point counts from must-do activities.",
                                            "At most %(cap)s points count from must-do activities.",
                                            rule.must_cap) % {"cap": rule.must_cap}
            if rule.may_cap:
                text += " " + self.ngettext("At most %(cap)s point counts from may-do activities.",
                                            "At most %(cap)s points count from may-do activities.",
                                            rule.may_cap) % {"cap": rule.may_cap}
            return text
        if rule.k == 0:
            return self._("Do every must-do activity.")
        return self.ngettext("Do every must-do activity and choose %(k)s may-do activity.",
                             "Do every must-do activity and choose %(k)s may-do activities.", rule.k) % {"k": rule.k}

    def student_view_data(self, context=None):  # pylint: disable=unused-argument
        """Configuration only, identical for every user (the mobile apps cache it)."""
        return {
            "title": self.display_name, "instructions": self.instructions, "layout": self.layout,
            "rows": self.rows, "columns": self.columns, "tiles": self.tiles,
            "rule": {"kind": self.rule, "k": self.choose_count, "require_centre": self.require_centre,
                     "points_target": self.points_target, "must_points_cap": self.must_points_cap,
                     "may_points_cap": self.may_points_cap},
            "allow_change": self.allow_change, "show_stats_to_learners": self.show_stats_to_learners,
            "note_max_chars": core.NOTE_MAX_CHARS, "link_max_chars": core.LINK_MAX_CHARS,
        }

    # --- handlers ----------------------------------------------------------------------------

    def usable_board(self):
        board, rule = self.board_of(self), self.rule_of(self)
        if settings_problems(board_settings.validate_config, board, rule):
            raise PayloadError("", N_("This board is not set up correctly yet; ask your course team."))
        return board, rule

    @json_api
    def choose(self, data, suffix=""):  # pylint: disable=unused-argument
        """Replace the learner's selection: ``{"tiles": ["tile-id", ...], "revision": 3}`` (revision optional)."""
        board, rule = self.usable_board()
        state = self.state()
        revision = core.take_revision(data)
        tiles = core.parse_choice(data, board)
        self.check_revision(state, revision)
        before = [tile_id for tile_id in core.chosen_ids(state) if tile_id in board.by_id]
        if tiles != core.chosen_ids(state) and not self.can_change(state, board):
            raise PayloadError("tiles", N_("Your plan is committed and this board does not allow changes."))
        problem = core.too_many(board, rule, tiles)
        if problem and len(tiles) >= len(before):
            raise problem
        for tile_id in before:
            if tile_id not in tiles and tile_id in state["done"]:
                raise PayloadError("tiles", N_("%(title)s is marked done, so it stays in your plan."),
                                   title=board.by_id[tile_id]["title"])
        new_state = core.choose(state, board, tiles, self.now_text())
        added = [tile_id for tile_id in tiles if tile_id not in before]
        removed = [tile_id for tile_id in before if tile_id not in tiles]
        self.learner_state = new_state
        self.count_tiles(board, state, new_state)
        self.publish("chose", {"tiles": tiles, "added": added, "removed": removed,
                               "satisfied": core.satisfies(board, rule, tiles)})
        context = self.view_context(new_state)
        if state["committed_at"] or context["stale"] or core.stale_choices(state, board) or \
                new_state["done"] != state["done"]:
            return {"html": self.render_template(context)}  # the plan, done marks or notices change too
        # Only the selection changed: which tiles are chosen, the progress, the actions and the counts.
        return dict(self.changed_parts(context, state, new_state, "progress", "actions"), chosen=tiles)

    @json_api
    def commit(self, data, suffix=""):  # pylint: disable=unused-argument
        """Commit the current selection as the learner's plan: ``{}`` or ``{"revision": 3}``."""
        board, rule = self.usable_board()
        revision = core.take_revision(data)
        core.parse_commit(data)
        state = self.state()
        self.check_revision(state, revision)
        if state["committed_at"]:
            raise PayloadError("", N_("Your plan is already committed."))
        chosen = core.current_choice(state, board, rule)
        if not core.satisfies(board, rule, chosen):
            raise PayloadError("tiles", N_("Your choice does not meet the rule yet."))
        when = self.now_text()
        chose = core.choose(state, board, chosen, when)  # the must-do tiles it started with, if untouched
        new_state = core.complete(core.commit(chose, when), board, rule, when)
        self.learner_state = new_state
        self.count_tiles(board, state, new_state)
        self.publish("committed", {"tiles": chosen})
        self.announce_completion(state, new_state)
        context = self.view_context(new_state)
        # The tiles change when the board now refuses changes, or loses its "chosen for you" notes.
        tiles_change = not context["can_change"] or any(item["must"] and item["chosen"] for item in context["tiles"])
        return self.changed_parts(context, state, new_state, *(("tiles",) if tiles_change else ()), "actions",
                                  "plan")

    @json_api
    def mark_done(self, data, suffix=""):  # pylint: disable=unused-argument
        """Mark a chosen tile done: ``{"tile": "tile-id", "note": "...", "link": "https://..."}``."""
        board, rule = self.usable_board()
        state = self.state()
        revision = core.take_revision(data)
        tile_id, note, link = core.parse_done(data, board)
        self.check_revision(state, revision)
        if tile_id in state["done"]:
            raise PayloadError("tile", N_("This activity is already marked done."))
        if tile_id not in core.chosen_ids(state):
            raise PayloadError("tile", N_("You have not chosen this tile."))
        if not state["committed_at"]:
            raise PayloadError("tile", N_("Commit your plan before marking activities done."))
        when = self.now_text()
        new_state = core.complete(core.mark_done(state, tile_id, note, link, when), board, rule, when)
        self.learner_state = new_state
        self.count_tiles(board, state, new_state)
        self.publish("done", {"tile": tile_id, "has_note": bool(note.strip()), "has_link": bool(link)})
        self.announce_completion(state, new_state)
        return self.changed_parts(self.view_context(new_state), state, new_state, "tiles", "plan")

    @json_api
    def refresh(self, data, suffix=""):  # pylint: disable=unused-argument
        """The tiles as they are now (``{}``), after the learner rated, picked interests or was placed on the page."""
        state = self.state()
        return {"revision": state["revision"], "parts": self.render_parts(self.view_context(state), "tiles")}

    def changed_parts(self, context, state, new_state, *names):
        """The answer to a change that leaves the board's layout: the parts it changed, with the counts."""
        names += ("stats",) + (("complete",) if new_state["completed_at"] != state["completed_at"] else ())
        return {"revision": new_state["revision"], "parts": self.render_parts(context, *names)}

    def announce_completion(self, state, new_state):
        """When this change completed the board: completion, full credit if weighted, and an event (once)."""
        if new_state["completed_at"] and not state["completed_at"]:
            self.emit_completion(1.0)
            self.award_credit()
            self.publish("completed", {"tiles": sorted(new_state["done"])})

    # --- the linked self-assessment ------------------------------------------------------------

    def linked_ratings(self):
        """The learner's own ratings in the linked self-assessment, read through the runtime."""
        linked = self.linked_by("self_assessment")
        try:
            return linked.learner_ratings() if linked is not None else []
        except Exception:  # pylint: disable=broad-except
            # Another block's bug must not break the board.
            log.warning("Choice board %s cannot read its linked self-assessment %s",
                        self.scope_ids.usage_id, self.self_assessment, exc_info=True)
            return []

    def placed_skills(self):
        """Skills a linked placement check placed this learner as already knowing."""
        known = set()
        for check in self.linked_by("placement_checks"):
            try:
                known.update(skill for skill, row in check.placement_results().items() if row.get("mastered"))
            except Exception:  # pylint: disable=broad-except
                log.warning("Choice board %s cannot read a placement check", self.scope_ids.usage_id, exc_info=True)
        return known

    def linked_interests(self):
        """The learner's interests from the linked learning plan's ``learner_interests()``."""
        # Not a declared (preloaded) block: the plan declares this board, and the LMS's preloading walk
        # must not loop. So the plan's stored interests are read through the user_state service.
        linked = self.linked_by("learning_plan")
        try:
            if linked is None:
                return []
            return linked.learner_interests(self.stored_learner_state(linked.scope_ids.usage_id))
        except Exception:  # pylint: disable=broad-except
            log.warning("Choice board %s cannot read its linked learning plan", self.scope_ids.usage_id, exc_info=True)
            return []

    # --- scoring (only when weighted) ----------------------------------------------------------

    def is_done(self):
        return bool(self.state()["completed_at"])
