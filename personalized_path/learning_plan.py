"""
Learning plan: the learner's one page across the course's personalized blocks, and the staff class view.

The plan finds the course's blocks itself (or uses the author's list) and reads them through the
runtime: for the learner, each block's ``learner_summary()``; for the class, every learner's stored
state at once through the platform's user-state client (``XBlockUserStateClient``), interpreted by
each block's ``summarize_state``. Instructor exceptions are written into the learner's own gate
state, which the gate reads, so the gate stays the one authority on what a learner may see.
"""
import logging
from datetime import datetime

from django.utils.safestring import mark_safe
from django.utils.translation import get_language, get_language_bidi
from xblock.core import XBlock
from xblock.fields import Scope

from .dates import local_day
from .base import PersonalizedBlockMixin
from .dates import parse_iso
from .handlers import attachment, error_response, json_api, json_response
from .links import AUTHORED, SHOWN, BlockReferenceList, Link
from .plan_class import PlanClassMixin
from .core import N_, percent_text
from .core import class_grid
from .core import plan as core
from .core.gate import number_text
from .core.payload import PayloadError, as_digits, as_text, only_keys, require
from .fields import Integer, List, String
from .plan_groups import PlanGroupsMixin
from .plan_sharing import PlanSharingMixin
from .skill_framework import PlanSkillsMixin
from .studio import StudioEditorMixin, column, rows_spec

log = logging.getLogger(__name__)
_ = N_  # field labels are marked here and translated when Studio shows them

DEFAULT_TOPICS = [
    {"id": "sport", "label": N_("Sport and games")}, {"id": "cooking", "label": N_("Cooking")},
    {"id": "music", "label": N_("Music")}, {"id": "nature", "label": N_("Nature")},
    {"id": "money", "label": N_("Money")},
]


class LearningPlanBlock(PlanClassMixin, PlanGroupsMixin, PlanSharingMixin, PlanSkillsMixin, PersonalizedBlockMixin,
                        StudioEditorMixin,
                        XBlock):
    """One page per learner across the course's blocks; the class grid and exceptions for staff."""

    asset_name = "learning_plan"
    js_init = "PersonalizedLearningPlan"
    user_state_fields = ("interests",)

    display_name = String(display_name=_("Title"), default=N_("Your learning plan"), scope=Scope.settings,
                          translated_default=True)
    intro = String(
        display_name=_("Introduction"), multiline_editor=True, scope=Scope.content, translated_default=True,
        default=N_("Where you stand in this course, what you chose, and what to do next."),
    )
    sources = BlockReferenceList(
        display_name=_("Blocks to include (optional)"), default=[], scope=Scope.settings,
        help=_("Leave empty to include every personalized block of the course, in course order."),
    )
    topics = List(
        display_name=_("Interest topics"), default=DEFAULT_TOPICS, scope=Scope.content, translated_default=True,
        help=_("Topics learners may pick as interests (at most 5 each). Choice board tiles tagged with a "
               "topic's id are suggested to learners who picked it."),
    )
    stuck_days = Integer(
        display_name=_("Days before a learner counts as stuck"), default=7, scope=Scope.settings,
        values={"min": 0, "max": class_grid.MAX_STUCK_DAYS},
        help=_("The class view's default for the filter “stuck at a gate”."),
    )
    interests = List(scope=Scope.user_state, help="Topic ids the learner picked (at most 5).")

    # Sources left empty mean every personalized block of the course (see declared_blocks).
    links = {"sources": Link("personalized", reads="learner_summary")}

    editable_fields = ("display_name", "intro", "sources", "topics", "stuck_days", "progress_updates",
                       "parent_skill_rule", "parent_skill_at_least")

    # --- the blocks the plan reads -----------------------------------------------------------

    def source_ids(self):
        return [str(ref) for ref in self.source_refs()]

    def source_refs(self):
        """The sources as the runtime holds them (usage keys in the LMS: not turned into text and parsed again)."""
        if self.sources:
            return self.sources[:core.MAX_SOURCES]
        return self.course_blocks(core.SOURCE_KINDS)[:core.MAX_SOURCES]

    def sources_found(self, load):
        """``(ref, block)`` for each source ``load`` finds that is of a kind the plan reads, in course order."""
        for ref in self.source_refs():
            block = load(ref)
            if getattr(getattr(block, "scope_ids", None), "block_type", None) in core.SOURCE_KINDS:
                yield ref, block

    def source_blocks(self):
        """
        ``[(core.Source, block)]`` for every readable source the learner may see, in course order: read
        for their state in it (preloaded with the plan: ``declared_blocks``), not bound again (SHOWN).
        """
        found = []
        for ref, block in self.sources_found(lambda ref: self.linked(ref, SHOWN)):
            try:
                skills = tuple(block.skill_ids()) if hasattr(block, "skill_ids") else ()
                routes = tuple(block.route_options()) if hasattr(block, "route_options") else ()
            except Exception:  # pylint: disable=broad-except
                log.warning("Learning plan %s cannot read the settings of %s", self.scope_ids.usage_id, ref,
                            exc_info=True)
                continue
            found.append((core.Source(key=str(block.scope_ids.usage_id), kind=block.scope_ids.block_type,
                                      title=block.display_name, skills=skills, routes=routes), block))
        return found

    def declared_blocks(self):
        """The blocks whose learner state the plan reads, as authored (the LMS preloads them: see the base)."""
        return [block for _ref, block in self.sources_found(lambda ref: self.linked(ref, AUTHORED))]

    @staticmethod
    def skill_rules(pairs):
        """Per skill, how the first gate that measures it does so; other skills use the default estimator."""
        rules = {}
        for source, block in pairs:
            if source.kind != core.MASTERY_GATE:
                continue
            for skill, rule in block.mastery_rules().items():
                rules.setdefault(skill, core.SkillRule(rule["estimator"], rule["params"], rule["threshold"]))
        return rules

    # --- the learner's page --------------------------------------------------------------------

    @XBlock.supports("multi_device")  # checked at 375 px in the browser tests, data in student_view_data
    def student_view(self, context=None):
        if self.is_staff():
            context = self.staff_context(class_grid.GridQuery(stuck_days=self.stuck_days))
            # The grid is this block's own template, autoescaped; the class view embeds it as rendered.
            grid = mark_safe(self.render_template(context, template="learning_plan_grid.html"))  # nosec
            html = self.render_template(dict(context, grid=grid))
        else:
            html = self.render_template(self.learner_context())
        return self.build_fragment(html, {"messages": self.js_messages(
            saved_interests=N_("Your interests are saved."),
            loading=N_("Loading…"),
            applied=N_("The exception is saved. The learner sees it the next time they open the gate."),
        )})

    def learner_plan(self):
        """The current learner's plan as plain data (the page, the printable copy and the mobile apps use it)."""
        pairs = self.source_blocks()
        summaries = {}
        for source, block in pairs:
            try:
                summaries[source.key] = block.learner_summary()
            except Exception:  # pylint: disable=broad-except
                log.warning("Learning plan %s cannot read %s", self.scope_ids.usage_id, source.key, exc_info=True)
        sources = [source for source, _block in pairs]
        today = self.today()
        row = core.learner_row(None, sources, summaries, self.skill_rules(pairs), today, now=self.now())
        gates = []
        for source in sources:
            if source.kind == core.MASTERY_GATE and source.key in summaries:
                summary = summaries[source.key]
                gates.append(dict(summary, key=source.key, title=source.title))
        steps = core.next_steps(gates, self.other_steps(sources, summaries, row))
        topic_ids = [topic["id"] for topic in self.usable_topics()]
        return {"skills": self.framework_rows(row["skills"]), "gates": gates, "boards": [
            dict(board, items=summaries.get(board["key"], {}).get("chosen", [])) for board in row["boards"]],
            "goals": row["goals"], "next_steps": steps,
            "interests": core.stored_interests(self.interests, topic_ids)}

    def other_steps(self, sources, summaries, row):
        """Steps that unlock nothing but move the learner on: rate, choose, finish, set goals, check in."""
        steps = []
        for source in sources:
            summary = summaries.get(source.key)
            if summary is None:
                continue
            title = source.title
            if source.kind == core.SELF_ASSESSMENT and not summary.get("rated_at"):
                steps.append((source.key, self._("Rate yourself in “%(title)s”.") % {"title": title}))
            elif source.kind == core.CHOICE_BOARD and not summary.get("chosen"):
                steps.append((source.key, self._("Choose your activities in “%(title)s”.") % {"title": title}))
            elif source.kind == core.CHOICE_BOARD and not summary.get("completed"):
                steps.append((source.key, self._("Finish the activities you chose in “%(title)s”.") % {"title": title}))
            elif source.kind == core.GOAL_REFLECTION and not summary.get("goals_set"):
                steps.append((source.key, self._("Set your goals in “%(title)s”.") % {"title": title}))
        for goal in row["goals"]:
            if goal["overdue"]:
                due = _date(goal["next_checkin_due"])
                steps.append((goal["key"], self._("Check in on your goals in “%(title)s”: it was due on %(date)s.")
                              % {"title": goal["title"],
                                 "date": self.time_text(due, "DATE_FORMAT") if due else goal["next_checkin_due"]}))
        return [{"source": key, "text": text} for key, text in steps]

    def learner_context(self):
        plan = self.learner_plan()
        topics = self.usable_topics()
        return {
            "title": self.display_name, "intro": self.intro, "staff": False,
            "skills": [self.skill_view(row) for row in plan["skills"]],
            "gates": [self.gate_view(gate) for gate in plan["gates"]],
            "boards": plan["boards"],
            "goals": [dict(goal, due=_date(goal["next_checkin_due"])) for goal in plan["goals"]],
            "next_steps": [dict(step, link=self.link_to(step["source"])) for step in plan["next_steps"]],
            "topics": [dict(topic, picked=topic["id"] in plan["interests"]) for topic in topics],
            "max_interests": core.MAX_INTERESTS,
            "download_url": self.runtime.handler_url(self, "download_plan"),
            "group": self.learner_group(),
            "sharing": None, "sharing_offered": self.sharing_offered(),
        }

    def skill_view(self, row):
        """One skill row in words: self-rating, measurement, band, calibration note and trends."""
        return dict(
            row, band_label=self._(core.BAND_LABELS[row["band"]]),
            note=self._(core.CALIBRATION_NOTES[row["calibration"]]) if row["calibration"] in core.CALIBRATION_NOTES
            else None,
            self_trend_label=self._(core.TREND_LABELS[row["self_trend"]]) if row["self_trend"] else None,
            measured_trend_label=self._(core.TREND_LABELS[row["measured_trend"]]) if row["measured_trend"] else None,
            measured_text=percent_text(row["measured"]), level_text=number_text(row["level"]),
            review_due_date=local_day(row["review_due"], self.time_zone) if row.get("review_due") else None,
        )

    def gate_view(self, gate):
        exception = gate.get("exception")
        return dict(gate, next=(gate.get("unmet") or [{}])[0].get("text"),
                    link=self.link_to(gate["key"]), exception_at=parse_iso(exception["at"]) if exception else None)

    def usable_topics(self):
        return self.topics if isinstance(self.topics, list) and not core.validate_topics(self.topics) else []

    def learner_interests(self, stored=None):
        """
        For other blocks (a choice board's suggestions): the topics this learner picked, id and
        label; from ``stored`` (this block's stored fields, as another block read them) if given.
        """
        topics = {topic["id"]: topic["label"] for topic in self.usable_topics()}
        interests = self.interests if stored is None else stored.get("interests")
        return [{"id": topic_id, "label": topics[topic_id]}
                for topic_id in core.stored_interests(interests, list(topics))]

    def student_view_data(self, context=None):  # pylint: disable=unused-argument
        """Configuration only, identical for every user (the mobile apps cache it)."""
        return {"title": self.display_name, "intro": self.intro, "topics": self.usable_topics(),
                "max_interests": core.MAX_INTERESTS, "sources": self.source_ids()}

    @XBlock.handler
    def student_view_user_state(self, request, suffix=""):
        """The learner's interests, their whole plan and their published group as JSON, for the mobile apps (GET)."""
        return json_response(dict(self.own_user_state(), plan=self.learner_plan(), group=self.learner_group()))

    @XBlock.handler
    def download_plan(self, request, suffix=""):  # pylint: disable=unused-argument
        """The learner's plan as one self-contained, printable HTML file (GET); without whom they share it with."""
        context = dict(self.learner_context(), sharing_offered=False)
        # The body is this block's own learner view (autoescaped), wrapped in a printable document.
        body = mark_safe(self.render_template(context))  # nosec
        html = self.render_template({"title": self.display_name, "body": body, "language": get_language() or "en",
                                     "direction": "rtl" if get_language_bidi() else "ltr", "printed_at": self.now()},
                                    template="learning_plan_document.html")
        return attachment(html, "text/html", "learning-plan.html")

    @json_api
    def save_interests(self, data, suffix=""):  # pylint: disable=unused-argument
        """Store the learner's interests: ``{"interests": ["topic-id", ...]}``."""
        interests = core.parse_interests(data, [topic["id"] for topic in self.usable_topics()])
        self.interests = interests
        self.publish("interests_saved", {"interests": interests})
        return {"interests": interests}

    # --- the class view (staff) ------------------------------------------------------------------

    def staff_context(self, query):
        pairs = self.source_blocks()
        sources = [source for source, _block in pairs]
        try:
            page_rows, total, matching, pages, page, route_counts = self.class_page(pairs, query)
            unavailable = None
        except PayloadError as error:
            page_rows, total, matching, pages, page = [], 0, 0, 1, 1
            route_counts, unavailable = class_grid.route_counts([], sources), error.sentence(self._, self.ngettext)
        skills = core.course_skills(sources)
        gates = [source for source in sources if source.kind == core.MASTERY_GATE]
        return {
            "title": self.display_name, "staff": True, "skills": skills, "total": total, "unavailable": unavailable,
            "summary_pending": self.summary_pending,
            "skill_columns": [{"id": skill, "label": self.skill_label(skill)} for skill in skills],
            "matching": matching, "pages": pages, "page": page, "query": query,
            "rows": [self.grid_row(row) for row in page_rows],
            "filters": [{"id": key, "label": self._(class_grid.FILTER_LABELS[key])} for key in class_grid.FILTERS],
            "route_counts": route_counts,
            "gates": [{"key": gate.key, "title": gate.title, "routes": gate.routes} for gate in gates],
            "page_sizes": (25, 50, 100, 200), "reason_max": 500,
            "export_url": self.class_export_url(),
            **self.groups_context(skills),
        }

    def grid_row(self, row):
        return dict(row, skills=[dict(cell, band_label=self._(core.BAND_LABELS[cell["band"]]),
                                      measured_text=percent_text(cell["measured"]),
                                      level_text=number_text(cell["level"])) for cell in row["skills"]],
                    gates=[dict(gate, exception_at=parse_iso(gate["exception"]["at"]) if gate["exception"] else None)
                           for gate in row["gates"]])

    @json_api
    def class_grid(self, data, suffix=""):  # pylint: disable=unused-argument
        """One page of the class grid, filtered and sorted: the query keys of ``class_grid.parse_grid_query``."""
        self.require_staff()
        skills = core.course_skills([source for source, _block in self.source_blocks()])
        query = class_grid.parse_grid_query(data, skills, self.stuck_days)
        return {"html": self.render_template(self.staff_context(query), template="learning_plan_grid.html")}

    @XBlock.handler
    def export_csv(self, request, suffix=""):  # pylint: disable=unused-argument
        """Every learner matching the grid's filter as CSV (GET, the same query keys as the grid)."""
        if not self.is_staff():
            return self.staff_refusal()
        return self.class_csv(request.GET)

    def class_csv(self, params):
        """
        The export's answer (webob) for the grid's query keys in ``params``: the handler's, and the one the
        plugin's streaming view passes on (its body is the same generator). The caller checked for staff.
        """
        pairs = self.source_blocks()
        sources = [source for source, _block in pairs]
        skills = core.course_skills(sources)
        try:
            query = class_grid.parse_grid_query(query_values(params), skills, self.stuck_days)
        except PayloadError as error:
            return error_response(error.sentence(self._, self.ngettext), 400, error.field)
        try:
            count, rows = self.class_export(pairs, query)
        except PayloadError as error:  # no user-state client here: the sentence the class view shows
            return error_response(error.sentence(self._, self.ngettext), 404, error.field)
        self.publish("class_exported", {"filter": query.filter, "rows": count})
        # Streamed: a generator of pieces, the rows read from the summary in chunks (see the README).
        lines = (class_grid.csv_line(row) for row in rows)
        chunks = class_grid.csv_chunks(class_grid.csv_header(skills, sources), lines)
        return attachment((chunk.encode("utf-8") for chunk in chunks), "text/csv", "class-plan.csv")

    @json_api
    def apply_exception(self, data, suffix=""):
        """
        Staff: unlock a gate for one learner, move them to a route, re-lock it, or clear the exception.
        ``{"learner": "username", "gate": "<usage id>", "action": "unlock|route|relock|clear",
        "route": "<route id, for route>", "reason": "..."}``; stored with who and when in the learner's gate state.
        """
        self.require_staff()
        only_keys(data, ("learner", "gate", "action", "route", "reason"))
        learner = as_text(require(data, "learner"), "learner", 150, min_chars=1, multiline=False)
        pairs = self.source_blocks()
        gates = {source.key: block for source, block in pairs if source.kind == core.MASTERY_GATE}
        gate_ref = require(data, "gate")
        gate = gates.get(gate_ref) if isinstance(gate_ref, str) else None
        if gate is None:
            raise PayloadError("gate", N_("This is not a mastery gate of this learning plan."))
        client = self.user_state_client()
        keys = [block.scope_ids.usage_id for _source, block in pairs]
        known = {str(item.block_key): item.state for item in client.get_many(learner, keys)}
        if not known:
            raise PayloadError("learner", N_("No learner with this username has used this course's activities yet."))
        by = (self.current_user().opt_attrs.get("edx-platform.username") or "staff")
        # One learner's exception trail at a time: two staff members' changes must not lose an entry.
        lock = self.lock_for(learner, gate.scope_ids.usage_id)
        if not lock.acquire():
            raise self.busy_conflict()
        try:
            stored = next(iter(client.get_many(learner, [gate.scope_ids.usage_id], fields=["instructor_exception"])),
                          None)
            current = stored.state.get("instructor_exception") if stored is not None else None
            new_value, entry = gate.exception_update(current, data, by, self.now_text())
            with self.storage_transaction():  # the class summary changes with it, or neither does
                client.set(learner, gate.scope_ids.usage_id, {"instructor_exception": new_value})
                self.gate_state_written(client, learner, gate)
        finally:
            lock.release()
        self.publish("exception_applied", dict(entry, learner=learner, gate=str(gate.scope_ids.usage_id)))
        return {"learner": learner, "gate": str(gate.scope_ids.usage_id), "exception": entry}

    # --- Studio ------------------------------------------------------------------------------------

    def studio_problems(self, data):
        problems = core.validate_topics(data.topics)
        if isinstance(data.sources, list) and len(data.sources) > core.MAX_SOURCES:
            problems.append(PayloadError("sources", N_("At most %(limit)s blocks can be included."),
                                         limit=core.MAX_SOURCES))
        return problems + self.link_problems(data)

    def editor_specs(self):
        return {
            "sources": {"add_label": self._("Add a block"), "item_label": self._("Block %(n)s"),
                        "item_name": self._("Block")},
            "topics": rows_spec([column("label", self._("Name learners see")),
                                 column("id", self._("Id"), "id", prefix="topic")],
                                self._("Add a topic"), self._("Topic %(n)s")),
        }


def query_values(params):
    """
    The grid's keys of a GET query (others belong to the platform, like the workbench's ``student``),
    with numbers and booleans from their text.
    """
    values = {}
    for key in params:
        if key not in class_grid.GRID_KEYS:
            continue
        value = params[key]
        if key in ("stuck_days", "page", "page_size"):
            number = as_digits(value)
            values[key] = value if number is None else number
        elif key == "descending":
            values[key] = value == "true" if value in ("true", "false") else value
        else:
            values[key] = value
    return values


def _date(value):
    try:
        return datetime.fromisoformat(value).date() if value else None
    except ValueError:
        return None
