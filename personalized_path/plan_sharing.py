"""
The learning plan's "Progress updates" section (issue 28): the people a learner shares progress with,
the learner's own reminders, and what was sent. The data lives with the platform glue (recipients,
consent and the sent log are not course work: openedx/updates.py), reached through the Django setting
``PERSONALIZED_PATH_PROGRESS_UPDATES``; where it names nothing, or the course team switched the feature
off, the section is not shown and the handlers refuse with a sentence. The plan's view shows the section
closed and reads none of its data (no query): the learner opens it (``sharing_section``), and only then
are the people, reminders and messages read, and the platform's age rule applied.
"""
from django.utils.translation import get_language
from xblock.core import XBlockMixin
from xblock.fields import Scope

from .core import N_
from .core import updates as core
from .core.payload import PayloadError, as_int, only_keys, require
from .fields import Boolean
from .handlers import json_api
from .platform_glue import DEFAULT_PROGRESS_UPDATES, PROGRESS_UPDATES_SETTING, platform_function

_ = N_
TURNED_OFF = N_("Progress updates are not available in this course.")


class PlanSharingMixin(XBlockMixin):
    """Progress updates for family and mentors, and the learner's reminders, on the learner's plan."""

    progress_updates = Boolean(
        display_name=_("Progress updates for family and mentors"), default=True, scope=Scope.settings,
        help=_("Learners may send updates on their progress to people they choose, who must confirm first, "
               "and get reminders. Turn off to hide this from the plan."),
    )

    def sharing_store(self):
        """The glue's store, or None where there is none (no plugin app, the tests' memory storage)."""
        try:
            factory = platform_function(PROGRESS_UPDATES_SETTING, DEFAULT_PROGRESS_UPDATES)
        except ImportError:
            return None
        return factory(self) if factory else None

    def sharing_learner(self):
        """Who the learner is and what a message about this plan needs (see openedx/updates.LEARNER_KEYS)."""
        user = self.current_user()
        attrs = user.opt_attrs if user else {}
        usage = self.scope_ids.usage_id
        course = getattr(usage, "context_key", None) or getattr(usage, "course_key", None)
        username = attrs.get("edx-platform.username") or ""
        return {"plan_key": str(usage), "course_key": str(course) if course else str(usage).split(".", 1)[0],
                "user_id": str(attrs.get("edx-platform.user_id") or ""), "username": username,
                "learner_name": (getattr(user, "full_name", "") or username)[:255], "course_name": "",
                "plan_url": "", "language": get_language() or "en", "stuck_days": self.stuck_days}

    def sharing_offered(self):
        """Whether the plan offers the section at all (no database read): the view shows it closed."""
        # Not in Studio's preview: an author's preview is no learner's consent record.
        if getattr(self, "_previewing", False) or self.runtime.service(self, "studio_user_permissions") is not None:
            return False
        return bool(self.progress_updates and self.sharing_store() is not None and self.sharing_learner()["user_id"])

    def sharing_open(self):
        """``(store, learner)`` where the learner may use progress updates, else None."""
        if not self.sharing_offered():
            return None
        store, learner = self.sharing_store(), self.sharing_learner()
        if not store.allowed(learner["user_id"]):
            return None  # the run reads the plan's setting and the age rule itself
        return store, learner

    def sharing_context(self, opened):
        """The section's data in words, for ``sharing_open``'s answer."""
        store, learner = opened
        data = store.learner_view(learner)
        recipients = [dict(item, status_label=self._(core.STATUS_LABELS[item["status"]]),
                           frequency_label=self._(core.FREQUENCY_LABELS[item["frequency"]]),
                           kind_label=self._(core.KIND_LABELS.get(item["last_sent_kind"], "")) if
                           item["last_sent_kind"] else "") for item in data["recipients"]]
        return {
            "recipients": recipients,
            "can_add": len([item for item in recipients if item["status"] != core.STOPPED]) < core.MAX_RECIPIENTS,
            "max_recipients": core.MAX_RECIPIENTS, "name_max": core.NAME_MAX_CHARS,
            "address_max": core.ADDRESS_MAX_CHARS,
            "nudges": [{"kind": kind, "label": self._(core.NUDGE_LABELS[kind]), "on": data["nudges"][kind]}
                       for kind in core.NUDGE_KINDS],
            "sent": [dict(item, kind_label=self._(core.KIND_LABELS[item["kind"]])) for item in data["sent"]],
        }

    def sharing_answer(self, opened, said):
        """The handlers' answer: the section rendered (open), and what to announce."""
        html = self.render_template({"sharing": self.sharing_context(opened)}, template="learning_plan_sharing.html")
        return {"html": html, "said": said}

    def sharing_required(self):
        opened = self.sharing_open()
        if opened is None:
            raise PayloadError("", TURNED_OFF)
        return opened

    @json_api
    def sharing_section(self, data, suffix=""):  # pylint: disable=unused-argument
        """``{}``: the section open, with the learner's people, reminders and messages sent."""
        only_keys(data, ())
        return self.sharing_answer(self.sharing_required(), "")

    @json_api
    def add_update_recipient(self, data, suffix=""):  # pylint: disable=unused-argument
        """``{"name", "email", "frequency": "weekly|changes", "include_goals", "include_checkins"}``."""
        store, learner = opened = self.sharing_required()
        recipient = core.parse_recipient(data)
        store.add_recipient(learner, recipient)
        self.publish("update_recipient_added", {"frequency": recipient["frequency"]})
        return self.sharing_answer(opened, self._("A confirmation request is on its way. Nothing else is sent "
                                                  "until they confirm."))

    @json_api
    def remove_update_recipient(self, data, suffix=""):  # pylint: disable=unused-argument
        """``{"recipient": id}``: this person gets nothing more."""
        store, learner = opened = self.sharing_required()
        only_keys(data, ("recipient",))
        store.remove_recipient(learner, as_int(require(data, "recipient"), "recipient", 1, 2 ** 62))
        self.publish("update_recipient_removed", {})
        return self.sharing_answer(opened, self._("Removed. They will receive nothing more."))

    @json_api
    def set_nudges(self, data, suffix=""):  # pylint: disable=unused-argument
        """``{"checkin_overdue": bool, "stuck_at_gate": bool, "review_due": bool}`` (any of them)."""
        store, learner = opened = self.sharing_required()
        switches = core.parse_nudges(data)
        store.set_nudges(learner, switches)
        self.publish("nudges_set", switches)
        return self.sharing_answer(opened, self._("Your reminders are saved."))
