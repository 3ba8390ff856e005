"""
The learning plan's collaborative groups (issue 27): staff propose groups from the class's measured
mastery and interests (``core.grouping``), edit, save and publish them, and export them for Open edX
Teams; each learner sees their own group on their plan.

Where a grouping lives: it is the course team's, for the whole class, made in the LMS, where a block's
settings are read-only (the modulestore's), so it is kept in the plan's ``Scope.user_state_summary``,
the one course-wide scope the LMS lets a block write. Unlike the blocks' anonymous class counts it
names learners, so it is never shown whole to a learner: the learner's view reads their own group from
the published copy. Saves replace the whole grouping (no increments to lose) and carry a revision,
so a save made from an older page gets 409 rather than overwriting a colleague's.
"""
from xblock.core import XBlock, XBlockMixin
from xblock.fields import Scope

from .core import N_, percent_text
from .core import grouping
from .core import plan as core_plan
from .core.payload import PayloadError, as_bool, only_keys, require
from .class_counts import SUMMARY_COPY_SECONDS
from .core.state import stored_size
from .dates import parse_iso
from .fields import Dict
from .handlers import Conflict, attachment, error_response, json_api
from .platform_glue import DEFAULT_TEAMS_IMPORTER, TEAMS_IMPORTER_SETTING, platform_function

# The platform's default enrollment mode: what the Teams export says where no enrollments service
# tells the real one (the workbench).
DEFAULT_ENROLLMENT_MODE = "audit"


@XBlock.wants("enrollments")
@XBlock.wants("teams")
class PlanGroupsMixin(XBlockMixin):
    """Propose, edit, save, publish and export groups; the learner's own group on their plan."""

    saved_grouping = Dict(scope=Scope.user_state_summary, default={}, shape=grouping.GROUPING_SHAPE,
                          help="The course team's saved grouping, with who saved it and when (names learners).")
    published_grouping = Dict(scope=Scope.user_state_summary, default={}, shape=grouping.GROUPING_SHAPE,
                              help="The grouping learners see (each only their own group), with who published it.")

    # --- what the groups are made from -------------------------------------------------------

    def class_interests(self):
        """Every learner's stored interests in this plan, read at once: ``{username: [topic id]}``."""
        topic_ids = [topic["id"] for topic in self.usable_topics()]
        client = self.user_state_client()
        return {item.username: core_plan.stored_interests((item.state or {}).get("interests"), topic_ids)
                for item in client.iter_all_for_block(self.scope_ids.usage_id)}

    def enrollment_modes(self):
        """``{username: mode}`` of the course's active enrollments from the LMS's service; None without one."""
        service = self.runtime.service(self, "enrollments")
        if service is None:
            return None
        usage = self.scope_ids.usage_id
        course = getattr(usage, "context_key", None) or getattr(usage, "course_key", None)
        enrollments = service.get_active_enrollments_by_course(course)
        if hasattr(enrollments, "values_list"):  # a queryset: one query, no user loaded per row
            return dict(enrollments.values_list("user__username", "mode"))
        return {enrollment.user.username: enrollment.mode for enrollment in enrollments}

    def group_class(self, rows=None):
        """``(learners, skills)``: the class as grouping reads it (enrolled learners only, where that is known)."""
        pairs = self.source_blocks()
        skills = core_plan.course_skills([source for source, _block in pairs])
        rows = self.class_rows(pairs) if rows is None else rows
        modes = self.enrollment_modes()
        if modes is not None:
            rows = [row for row in rows if row["learner"] in modes]
        return grouping.learners_from_rows(rows, self.class_interests()), skills

    # --- the staff panel ---------------------------------------------------------------------------

    def groups_context(self, skills):
        """
        The staff panel: the request form, and how many groups are saved. The saved grouping's editor
        reads the whole class's rows (as proposing does), so the page offers it and ``saved_groups``
        answers it when asked: the staff page costs the same at 100 learners and at 100,000.
        """
        saved = grouping.stored(self.saved_grouping)
        return {"groups_panel": {
            "skills": skills, "kinds": [{"id": kind, "label": self._(grouping.KIND_LABELS[kind])}
                                        for kind in grouping.KINDS],
            "saved_groups": len(saved["groups"]) if saved else 0,
            "csv_url": self.runtime.handler_url(self, "groups_csv"),
            "teams_here": self.teams_importer() is not None,
        }}

    def group_name(self, group, index):
        return group["name"] or self.say(N_("Group %(number)s"), {"number": index + 1})

    def groups_editor(self, proposal, learners, saved=False):
        """A proposal or saved grouping as the editor shows it: groups, members with levels, balance."""
        skills = proposal["skills"]
        by_name = {learner.username: learner for learner in learners}
        no_evidence = set(proposal.get("no_evidence") or [
            name for name, learner in by_name.items() if grouping.mean_level(learner, skills) is None])
        unshared = set(proposal.get("unshared", ()))
        topics = {topic["id"]: topic["label"] for topic in self.usable_topics()}
        balance = grouping.balance(proposal, learners)
        groups = []
        for index, group in enumerate(proposal["groups"]):
            members = []
            for name in group["members"]:
                learner = by_name.get(name)
                mean = grouping.mean_level(learner, skills) if learner else None
                members.append({"username": name, "mean_text": None if mean is None else percent_text(mean),
                                "no_evidence": name in no_evidence, "unshared": name in unshared})
            mean = balance["means"][index]
            groups.append({"index": index, "name": group["name"], "label": self.group_name(group, index),
                           "topic": group["topic"], "topic_label": topics.get(group["topic"], group["topic"]),
                           "locked": group.get("locked", False), "members": members,
                           "mean_text": None if mean is None else percent_text(mean)})
        stored = self.saved_grouping if saved else {}
        published = grouping.stored(self.published_grouping)
        return {"kind": proposal["kind"], "kind_label": self._(grouping.KIND_LABELS[proposal["kind"]]),
                "skills": skills, "groups": groups, "spread_text": percent_text(balance["spread"]),
                "saved": saved, "by": stored.get("by"), "at": parse_iso(stored.get("at")),
                "revision": self.grouping_revision(),
                "published_at": parse_iso(published.get("published_at")) if published else None,
                "published_by": published.get("published_by") if published else None,
                "published_current": bool(published and saved and published.get("revision") == stored.get("revision"))}

    def grouping_revision(self):
        """
        The newest saved revision: this request loaded the grouping when it began, and a colleague's
        save in another worker since then is known by the copy of its revision each save leaves in
        the shared cache (the lock makes the check and the save one step).
        """
        saved = grouping.stored(self.saved_grouping)
        loaded = saved.get("revision", 0) if saved else 0
        newest = self.shared_cache().get(self.cache_key("grouping-revision"))
        return max(loaded, newest) if isinstance(newest, int) and not isinstance(newest, bool) else loaded

    def stale_grouping(self):
        """409: a colleague saved the groups after this page (or request) read them."""
        return Conflict(self._("Someone else saved these groups since you opened the page. "
                               "Reload the page to see their groups."), stale=True)

    def render_editor(self, editor):
        return self.render_template({"editor": editor}, template="learning_plan_groups_editor.html")

    # --- handlers ------------------------------------------------------------------------------------

    @json_api
    def propose_groups(self, data, suffix=""):  # pylint: disable=unused-argument
        """
        Staff: ``{"kind": "mixed|similar|interest", "skills"?: [...], "size": n | "count": n,
        "locked"?: [{"name", "members", "topic"}]}``: a proposal, not saved (the editor's markup and data).
        """
        self.require_staff()
        learners, skills = self.group_class()
        topic_ids = [topic["id"] for topic in self.usable_topics()]
        request = grouping.parse_request(data, skills, [learner.username for learner in learners], topic_ids)
        proposal = grouping.propose(learners, request, topic_ids)
        self.publish("groups_proposed", {"kind": request.kind, "groups": len(proposal["groups"])})
        return {"html": self.render_editor(self.groups_editor(proposal, learners)), "proposal": proposal}

    @json_api
    def saved_groups(self, data, suffix=""):  # pylint: disable=unused-argument
        """Staff: ``{}``: the saved grouping as the editor shows it (its markup), or 404 when none is saved."""
        self.require_staff()
        only_keys(data, ())
        saved = grouping.stored(self.saved_grouping)
        if not saved:
            return error_response(self._("No groups are saved yet."), 404)
        learners, _skills = self.group_class()
        return {"html": self.render_editor(self.groups_editor(saved, learners, saved=True))}

    @json_api
    def save_groups(self, data, suffix=""):  # pylint: disable=unused-argument
        """
        Staff: the edited proposal ``{"kind", "skills", "groups": [{"name", "members", "topic", "locked"}],
        "revision"}``, kept with who saved it and when; 409 when another save came first.
        """
        self.require_staff()
        learners, skills = self.group_class()
        kind, chosen, groups, revision = grouping.parse_saved(
            data, skills, [learner.username for learner in learners], [topic["id"] for topic in self.usable_topics()])
        lock = self.lock_for("groups")
        if not lock.acquire():
            raise self.busy_conflict()
        try:
            if revision != self.grouping_revision():
                raise self.stale_grouping()
            value = {"version": grouping.GROUPING_VERSION, "kind": kind, "skills": list(chosen),
                     "groups": [dict(group) for group in groups], "by": self.staff_username(),
                     "at": self.now_text(), "revision": revision + 1}
            if stored_size(value) > grouping.MAX_GROUPING_BYTES:
                raise PayloadError("groups", N_("These groups are too large to keep: use shorter names."))
            self.saved_grouping = value
            self.save()
            self.shared_cache().set(self.cache_key("grouping-revision"), revision + 1, SUMMARY_COPY_SECONDS)
        finally:
            lock.release()
        self.publish("groups_saved", {"kind": kind, "groups": len(groups), "revision": revision + 1})
        return {"html": self.render_editor(self.groups_editor(value, learners, saved=True)),
                "revision": revision + 1}

    @json_api
    def publish_groups(self, data, suffix=""):  # pylint: disable=unused-argument
        """Staff: ``{"publish": true}`` shows each learner their saved group on their plan; false stops it."""
        self.require_staff()
        only_keys(data, ("publish",))
        publish = as_bool(require(data, "publish"), "publish")
        saved = grouping.stored(self.saved_grouping)
        if publish and saved and saved.get("revision", 0) != self.grouping_revision():
            raise self.stale_grouping()
        if publish and not saved:
            raise PayloadError("publish", N_("Save the groups before showing them to learners."))
        self.published_grouping = dict(saved, published_by=self.staff_username(),
                                       published_at=self.now_text()) if publish else {}
        self.publish("groups_published", {"published": publish, "revision": saved.get("revision") if saved else None})
        learners, _skills = self.group_class() if saved else ([], [])
        return {"html": self.render_editor(self.groups_editor(saved, learners, saved=True)) if saved else "",
                "published": publish}

    @XBlock.handler
    def groups_csv(self, request, suffix=""):  # pylint: disable=unused-argument
        """
        The saved grouping as the Open edX Teams membership upload reads it (GET ``?team_set=<id>``):
        ``username, external_user_id, mode, <team-set id>``, each learner's group name as the team.
        """
        if not self.is_staff():
            return self.staff_refusal()
        try:
            header, rows = self.teams_table(request.GET.get("team_set"))
        except PayloadError as error:
            return error_response(error.sentence(self._, self.ngettext), 400, error.field)
        self.publish("groups_exported", {"team_set": header[-1], "rows": len(rows)})
        return attachment(grouping.teams_csv(header, rows), "text/csv", f"teams-{header[-1]}.csv")

    def teams_table(self, team_set):
        """``(header, rows)`` of the saved grouping for the Teams upload; PayloadError when it cannot be made."""
        team_set = grouping.parse_team_set(team_set)
        saved = grouping.stored(self.saved_grouping)
        if not saved:
            raise PayloadError("", N_("Save the groups before exporting them."))
        modes = self.enrollment_modes()
        for group in saved["groups"]:
            for name in group["members"]:
                if modes is not None and name not in modes:
                    raise PayloadError("", N_("%(name)s has left the course: propose and save the groups "
                                              "again before exporting."), name=name)
        names = [self.group_name(group, index) for index, group in enumerate(saved["groups"])]
        return grouping.teams_rows(saved, team_set, modes or {}, DEFAULT_ENROLLMENT_MODE, names)

    def teams_importer(self):
        """The platform's Teams import where the LMS offers its ``teams`` service and the glue is there; else None."""
        if self.runtime.service(self, "teams") is None:
            return None
        try:
            make = platform_function(TEAMS_IMPORTER_SETTING, DEFAULT_TEAMS_IMPORTER)
        except ImportError:
            return None
        return make() if make else None

    @json_api
    def create_teams(self, data, suffix=""):  # pylint: disable=unused-argument
        """
        Staff, where the LMS has Teams: ``{"team_set": "<id>"}`` makes the saved groups the team-set's
        teams through the platform's own import. Learners whose track the team may not mix with the
        others are left out, a sentence each; the platform's own refusals come back as it words them.
        """
        self.require_staff()
        only_keys(data, ("team_set",))
        importer = self.teams_importer()
        if importer is None:
            raise PayloadError("team_set", N_("Teams cannot be made from here on this platform: download the "
                                              "CSV and upload it on the instructor dashboard."))
        header, rows = self.teams_table(require(data, "team_set"))
        kept, refused = grouping.mode_refusals((header, rows), importer.protected_modes)
        usage = self.scope_ids.usage_id
        problems = importer.run(getattr(usage, "context_key", None) or getattr(usage, "course_key", None),
                                grouping.teams_csv(header, kept)) if kept else []
        refusals = [self.say(N_("%(name)s was not added to %(team)s: Open edX Teams does not put learners of "
                                "the master's track in one team with learners of other tracks."),
                             {"name": row[0], "team": row[3]}) for row in refused]
        self.publish("teams_created", {"team_set": header[-1], "added": 0 if problems else len(kept),
                                       "refused": len(refused), "problems": len(problems)})
        if problems:
            message = self._("The platform made no teams. What it said:")
        else:
            message = self.ngettext("%(count)s learner is in their team.", "%(count)s learners are in their teams.",
                                    len(kept)) % {"count": len(kept)}
        return {"added": 0 if problems else len(kept), "message": message, "refusals": refusals,
                "problems": problems}

    def staff_username(self):
        user = self.current_user()
        return (user.opt_attrs.get("edx-platform.username") if user else None) or "staff"

    # --- the learner's own group -------------------------------------------------------------------

    def learner_group(self):
        """The current learner's group as published (name, members, shared topic or skills), or None."""
        published = grouping.stored(self.published_grouping)
        index, group = grouping.group_of(published, self.learner_username())
        if group is None:
            return None
        topics = {topic["id"]: topic["label"] for topic in self.usable_topics()}
        return {"name": self.group_name(group, index), "members": sorted(group["members"], key=str.lower),
                "topic_label": topics.get(group["topic"]) if group["topic"] else None,
                "skills": published["skills"] if published["kind"] != grouping.INTEREST else []}
