"""
The learning plan's class summary: derived from learner state, disposable, rebuilt by
``rebuild_learning_plan_summaries``. Learner state (StudentModule) stays the one source of truth.

One row per (learning plan, learner) with every source's ``summarize_state`` for that learner and
the columns the class grid filters and sorts on; one facet row per skill of the plan (its
measurement, for sorting by a skill); and per plan, counts of learners by what the grid counts
(each filter's flag, each day a gate was reached or a check-in falls due, each gate's status and
route), kept with each row's change, so no count reads every learner's row.
"""
from django.db import models


class PlanSummaryConfig(models.Model):
    """What a plan reads (its sources and skill rules), and for which of these its rows were last rebuilt."""

    plan_key = models.CharField(max_length=255, unique=True)
    course_key = models.CharField(max_length=255, db_index=True)
    config = models.JSONField()
    digest = models.CharField(max_length=64)
    built_digest = models.CharField(max_length=64, blank=True, default="")
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "personalized_path"


class PlanLearnerSummary(models.Model):
    """One learner in one plan's class grid."""

    plan_key = models.CharField(max_length=255)
    username = models.CharField(max_length=150)
    learner_sort = models.CharField(max_length=150)  # the username lowercased: the grid's name order and search
    summaries = models.JSONField(default=dict)  # {source usage key: that block's summarize_state}
    stuck_since = models.DateField(null=True)  # the earliest day the learner reached a gate still locked
    next_checkin_due = models.DateField(null=True)  # the earliest check-in due among the plan's goals
    next_review_due = models.DateTimeField(null=True)  # the earliest time one of the learner's skills is due for review
    no_choice = models.BooleanField(default=False)
    over = models.BooleanField(default=False)
    under = models.BooleanField(default=False)
    has_exception = models.BooleanField(default=False)
    counted = models.JSONField(default=list)  # the names of the PlanSummaryCount rows that count this learner
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "personalized_path"
        unique_together = (("plan_key", "username"),)
        # Each in the grid's order, ties by name (learner_sort, username), so a page reads 25 index entries.
        indexes = [
            models.Index(fields=["plan_key", "learner_sort", "username"], name="pp_plan_learner"),
            models.Index(fields=["plan_key", "stuck_since", "learner_sort", "username"], name="pp_plan_stuck"),
            models.Index(fields=["plan_key", "-stuck_since", "learner_sort", "username"], name="pp_plan_stuck_desc"),
            models.Index(fields=["plan_key", "next_checkin_due", "learner_sort", "username"], name="pp_plan_due"),
            models.Index(fields=["plan_key", "next_review_due"], name="pp_plan_review"),  # the nudges' run
            models.Index(fields=["plan_key", "no_choice", "learner_sort", "username"], name="pp_plan_no_choice"),
            models.Index(fields=["plan_key", "over", "learner_sort", "username"], name="pp_plan_over"),
            models.Index(fields=["plan_key", "under", "learner_sort", "username"], name="pp_plan_under"),
            models.Index(fields=["plan_key", "has_exception", "learner_sort", "username"], name="pp_plan_exception"),
        ]


class PlanSummaryCount(models.Model):
    """How many of a plan's learners a name counts: ``learners``, a flag, ``stuck:<day>``, ``due:<day>``, a gate's."""

    plan_key = models.CharField(max_length=255)
    name = models.CharField(max_length=255)
    learners = models.IntegerField(default=0)

    class Meta:
        app_label = "personalized_path"
        unique_together = (("plan_key", "name"),)


class PlanLearnerFacet(models.Model):
    """A skill's measurement (``skill:<id>``) for one row: sorting by a skill reads these in order."""

    row = models.ForeignKey(PlanLearnerSummary, on_delete=models.CASCADE, related_name="facets")
    plan_key = models.CharField(max_length=255)
    name = models.CharField(max_length=255)
    number = models.FloatField(null=True)
    learner_sort = models.CharField(max_length=150)

    class Meta:
        app_label = "personalized_path"
        indexes = [
            models.Index(fields=["plan_key", "name", "number", "learner_sort"], name="pp_facet_number"),
            models.Index(fields=["plan_key", "name", "-number", "learner_sort"], name="pp_facet_number_desc"),
        ]


# --- progress updates and nudges (issue 28): preferences and consent records, not course work ---------

class UpdateRecipient(models.Model):
    """
    A person a learner shares a plan's progress with. The address is stored encrypted (Fernet, key
    derived from SECRET_KEY), as an HMAC for lookups, and as a masked hint, the only form shown back.
    A removed recipient's row is deleted; a stopped one stays, so the address is refused again.
    """

    plan_key = models.CharField(max_length=255)
    course_key = models.CharField(max_length=255)
    user_id = models.CharField(max_length=64)  # the platform's user id, as text (the workbench's are names)
    username = models.CharField(max_length=150)
    learner_name = models.CharField(max_length=255)
    course_name = models.CharField(max_length=255)
    plan_url = models.CharField(max_length=1000, blank=True, default="")
    name = models.CharField(max_length=100)
    address_encrypted = models.TextField()
    address_hash = models.CharField(max_length=64)
    address_hint = models.CharField(max_length=260)
    frequency = models.CharField(max_length=16)
    include_goals = models.BooleanField(default=False)
    include_checkins = models.BooleanField(default=False)
    language = models.CharField(max_length=16)
    status = models.CharField(max_length=16, default="pending")
    created = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True)
    stopped_at = models.DateTimeField(null=True)
    last_sent_at = models.DateTimeField(null=True)
    last_sent_kind = models.CharField(max_length=32, blank=True, default="")
    last_sent = models.JSONField(default=dict)  # exactly what the last message told: {"changes", "sections"}
    last_facts = models.JSONField(null=True)  # the plan's facts as last told (core.updates)

    class Meta:
        app_label = "personalized_path"
        indexes = [models.Index(fields=["plan_key", "user_id"], name="pp_recipient_learner"),
                   models.Index(fields=["status", "frequency"], name="pp_recipient_due"),
                   models.Index(fields=["address_hash"], name="pp_recipient_address")]


class LearnerNudges(models.Model):
    """
    A learner's reminder switches on one plan, once the learner changed one: a learner with no row gets
    every reminder (each learner in the plan's class summary may be nudged).
    """

    plan_key = models.CharField(max_length=255)
    user_id = models.CharField(max_length=64)
    checkin_overdue = models.BooleanField(default=True)
    stuck_at_gate = models.BooleanField(default=True)
    review_due = models.BooleanField(default=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "personalized_path"
        unique_together = (("plan_key", "user_id"),)


class SentMessage(models.Model):
    """
    Every message sent about a learner, for the learner to see: to whom (hashed and masked; blank for
    the learner), which kind, when. ``event`` is unique per learner and plan: a nudge's event key claims
    its row before it goes, so it goes once even when two runs overlap.
    """

    plan_key = models.CharField(max_length=255)
    user_id = models.CharField(max_length=64)
    recipient_hash = models.CharField(max_length=64, blank=True, default="")
    recipient_hint = models.CharField(max_length=260, blank=True, default="")
    recipient_name = models.CharField(max_length=100, blank=True, default="")
    kind = models.CharField(max_length=32)
    event = models.CharField(max_length=255)
    channel = models.CharField(max_length=32, blank=True, default="")
    sent_at = models.DateTimeField()

    class Meta:
        app_label = "personalized_path"
        unique_together = (("plan_key", "user_id", "event"),)
        indexes = [models.Index(fields=["plan_key", "user_id", "-sent_at"], name="pp_sent_learner")]
