"""
Progress updates and nudges (issue 28): the learner's recipients, reminder switches and sent log in
this app's tables (models.py), and ``send_due``, which the scheduled task and the management command
``send_progress_updates`` run.

Where the data lives: preferences and consent records (like the platform's email opt-outs and
notification preferences), not course work, so not in learner state; the task finds due recipients
with indexed queries and tells a learner's plan from the class summary's row (``PlanLearnerSummary``:
each source's ``summarize_state``, kept with every learner write), one row per learner, never loading
a block. A plan whose summary is not built for what it reads now waits for the next run. Every learner
in a plan's summary may be nudged: the candidates come from its indexed days (stuck since, next check-in,
next review); a learner's ``LearnerNudges`` row only records the reminders they switched off.

Addresses are encrypted at rest with Fernet (``cryptography``), the key derived from SECRET_KEY; an
HMAC of the normalized address finds an address without decrypting; only a masked hint is shown back.
Messages go through messaging.py (edx-ace): ``send_update`` and ``nudge_learner``.
"""
import base64
import hashlib
import hmac
import logging
from datetime import datetime, timedelta, timezone

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import formats, translation

from personalized_path.catalog import package_catalog
from personalized_path.core import updates as core
from personalized_path.core.class_grid import config_from_record
from personalized_path.core.payload import PayloadError
from personalized_path.openedx import messaging
from personalized_path.openedx.summaries import STORE as SUMMARY_STORE, config_digest
from personalized_path.openedx.models import (LearnerNudges, PlanLearnerSummary, PlanSummaryConfig, SentMessage,
                                              UpdateRecipient)
from personalized_path.platform_glue import DEFAULT_PLAN_LOADER, PLAN_LOADER_SETTING, platform_function

log = logging.getLogger(__name__)
FOR_MINORS_SETTING = "PERSONALIZED_PATH_UPDATES_FOR_MINORS"
TOKEN_SALT = "personalized_path.progress_updates"
LOG_SHOWN = 20
NOT_SENT = core.N_("The message could not be sent just now; try again later.")
LEARNER_KEYS = ("plan_key", "course_key", "user_id", "username", "learner_name", "course_name", "plan_url",
                "language", "stuck_days")
# Who the usernames of a plan's summary are, for nudges: the LMS's users by default; the workbench names its own.
LEARNERS_SETTING = "PERSONALIZED_PATH_LEARNERS"
DEFAULT_LEARNERS = "personalized_path.openedx.updates.platform_learners"
NUDGE_CHUNK = 500


def progress_updates(block):  # pylint: disable=unused-argument
    """The store, for any block (named by ``PERSONALIZED_PATH_PROGRESS_UPDATES``)."""
    return STORE


def _secret(purpose):
    return hashlib.sha256(f"personalized_path.{purpose}:{settings.SECRET_KEY}".encode("utf-8")).digest()


def _fernet():
    return Fernet(base64.urlsafe_b64encode(_secret("address-key")))


def address_hash(address):
    return hmac.new(_secret("address-hash"), core.normalized_address(address).encode("utf-8"),
                    hashlib.sha256).hexdigest()


def encrypt(address):
    return _fernet().encrypt(address.encode("utf-8")).decode("ascii")


def decrypt(token):
    return _fernet().decrypt(token.encode("ascii")).decode("utf-8")


def platform_learners(usernames):
    """``{username: (user id as text, language preference or "")}`` of the LMS's active users among ``usernames``."""
    # pylint: disable=import-outside-toplevel
    from django.contrib.auth import get_user_model
    ids = dict(get_user_model().objects.filter(username__in=list(usernames), is_active=True)
               .values_list("username", "id"))
    try:
        from openedx.core.djangoapps.lang_pref import LANGUAGE_KEY
        from openedx.core.djangoapps.user_api.models import UserPreference
    except ImportError:
        languages = {}
    else:
        languages = dict(UserPreference.objects.filter(user_id__in=list(ids.values()), key=LANGUAGE_KEY)
                         .values_list("user_id", "value"))
    return {username: (str(user_id), languages.get(user_id, "")) for username, user_id in ids.items()}


def _now(now=None):
    return now or datetime.now(timezone.utc)


def link(action, recipient):
    """The absolute link of the unauthenticated confirm or stop view, with a signed token."""
    token = signing.dumps({"r": recipient.pk, "a": action}, salt=TOKEN_SALT)
    try:
        path = reverse(f"personalized_path:progress_update_{action}", args=[token])
    except NoReverseMatch:  # the plugin's URLs are not mounted here
        return ""
    return getattr(settings, "LMS_ROOT_URL", "") + path


def recipient_of(token, action):
    """The recipient a link's token names, or None (forged, altered, for the other action, or removed)."""
    try:
        value = signing.loads(token, salt=TOKEN_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(value, dict) or value.get("a") != action:
        return None
    return UpdateRecipient.objects.filter(pk=value.get("r")).first()


def _course_name(course_key):
    """The course's name where the platform has it (its CourseOverview), else its key."""
    try:
        # pylint: disable-next=import-outside-toplevel,import-error
        from openedx.core.djangoapps.content.course_overviews.models import CourseOverview
        from opaque_keys.edx.keys import CourseKey  # pylint: disable=import-outside-toplevel
        overview = CourseOverview.objects.filter(id=CourseKey.from_string(course_key)).first()
    except Exception:  # pylint: disable=broad-except
        overview = None  # outside the LMS, or a key it does not know
    return overview.display_name if overview else course_key


def _plan_url(learner):
    """The plan's absolute address (the LMS's jump_to); "" where the platform has no such page."""
    try:
        path = reverse("jump_to", kwargs={"course_id": learner["course_key"], "location": learner["plan_key"]})
    except NoReverseMatch:
        return ""
    return getattr(settings, "LMS_ROOT_URL", "") + path


class ProgressUpdateStore:
    """What the learning plan's sharing section reads and writes (``learner``: a dict of LEARNER_KEYS)."""

    @staticmethod
    def allowed(user_id):
        """The age rule: off for a learner whose profile requires parental consent, unless the operator allows it."""
        return str(user_id) in allowed_among([user_id])

    @staticmethod
    def learner_view(learner):
        """The section's data: recipients (masked), reminder switches (all on without a row), the sent log."""
        nudges = LearnerNudges.objects.filter(plan_key=learner["plan_key"], user_id=learner["user_id"]).first()
        recipients = UpdateRecipient.objects.filter(plan_key=learner["plan_key"], user_id=learner["user_id"])
        sent = SentMessage.objects.filter(plan_key=learner["plan_key"], user_id=learner["user_id"]).exclude(
            channel="off").order_by("-sent_at")[:LOG_SHOWN]
        return {
            "recipients": [{"id": item.pk, "name": item.name, "hint": item.address_hint, "status": item.status,
                            "frequency": item.frequency, "include_goals": item.include_goals,
                            "include_checkins": item.include_checkins, "last_sent_at": item.last_sent_at,
                            "last_sent_kind": item.last_sent_kind, "last_sent": item.last_sent}
                           for item in recipients.order_by("created", "pk")],
            "nudges": {kind: getattr(nudges, kind) if nudges else True for kind in core.NUDGE_KINDS},
            "sent": [{"name": item.recipient_name, "hint": item.recipient_hint, "kind": item.kind,
                      "sent_at": item.sent_at} for item in sent],
        }

    @staticmethod
    def add_recipient(learner, recipient, now=None):
        """Store a recipient core.parse_recipient accepted and send the confirmation request; PayloadError if not."""
        now = _now(now)
        learner = dict(learner, course_name=learner["course_name"] or _course_name(learner["course_key"]),
                       plan_url=learner["plan_url"] or _plan_url(learner))
        digest = address_hash(recipient["email"])
        mine = UpdateRecipient.objects.filter(plan_key=learner["plan_key"], user_id=learner["user_id"])
        active = list(mine.exclude(status=core.STOPPED).values_list("address_hash", flat=True))
        stopped = mine.filter(status=core.STOPPED, address_hash=digest).exists()
        core.admit_recipient(active, digest, stopped)
        row = UpdateRecipient.objects.create(
            plan_key=learner["plan_key"], course_key=learner["course_key"], user_id=learner["user_id"],
            username=learner["username"], learner_name=learner["learner_name"][:255],
            course_name=learner["course_name"][:255], plan_url=learner["plan_url"][:1000], name=recipient["name"],
            address_encrypted=encrypt(recipient["email"]), address_hash=digest,
            address_hint=core.mask_address(recipient["email"])[:260], frequency=recipient["frequency"],
            include_goals=recipient["include_goals"], include_checkins=recipient["include_checkins"],
            language=learner["language"][:16], created=now)
        try:
            _send(row, core.CONFIRM_REQUEST, now, {"confirm_url": link("confirm", row)}, sections=[], changes=[])
        except PayloadError:
            row.delete()
            raise
        return row.pk

    @staticmethod
    def remove_recipient(learner, recipient_id):
        """Delete a recipient the learner added (a stopped one stays: the address keeps refusing)."""
        row = UpdateRecipient.objects.filter(pk=recipient_id, plan_key=learner["plan_key"],
                                             user_id=learner["user_id"]).first()
        if row is None:
            raise PayloadError("recipient", core.N_("This person is not on your list."))
        if row.status == core.STOPPED:
            row.name, row.address_hint = "", core.MASK
            row.save(update_fields=["name", "address_hint"])
        else:
            row.delete()

    @staticmethod
    def set_nudges(learner, switches):
        LearnerNudges.objects.update_or_create(plan_key=learner["plan_key"], user_id=learner["user_id"],
                                               defaults=switches)


def allowed_among(user_ids):
    """The ids (as text) among ``user_ids`` the age rule lets use progress updates and reminders."""
    allowed = {str(user_id) for user_id in user_ids}
    if getattr(settings, FOR_MINORS_SETTING, False):
        return allowed
    try:
        # pylint: disable-next=import-outside-toplevel
        from common.djangoapps.student.models import UserProfile
    except ImportError:  # outside the LMS (the workbench) there is no age
        return allowed
    # As the platform's own email opt-in decides: a learner whose year of birth says they are under the
    # limit; no year of birth does not count as under it (the profile's visibility rule would hide most).
    numbers = [int(user_id) for user_id in allowed if user_id.isdigit()]
    for profile in UserProfile.objects.filter(user_id__in=numbers):
        if profile.requires_parental_consent(default_requires_consent=False):
            allowed.discard(str(profile.user_id))
    return allowed


STORE = ProgressUpdateStore()


# --- confirm and stop (the unauthenticated views) ------------------------------------------------------

def confirm(recipient, now=None):
    """The person confirms: updates may start; the plan's facts now are what the first change compares to."""
    if recipient.status != core.PENDING:
        return recipient.status
    recipient.status, recipient.confirmed_at = core.CONFIRMED, _now(now)
    recipient.last_facts = learner_facts(recipient.plan_key, recipient.username, _now(now))
    recipient.save(update_fields=["status", "confirmed_at", "last_facts"])
    return core.CONFIRMED


def stop(recipient, now=None):
    """The person stops: nothing more is sent to this address about this learner."""
    if recipient.status != core.STOPPED:
        recipient.status, recipient.stopped_at = core.STOPPED, _now(now)
        recipient.save(update_fields=["status", "stopped_at"])
    return core.STOPPED


# --- the scheduled run ---------------------------------------------------------------------------------

def learner_facts(plan_key, username, now):
    """The learner's plan as ``core.plan_facts`` from the class summary row; None where it is not built."""
    config = PlanSummaryConfig.objects.filter(plan_key=plan_key).first()
    if config is None or not config.built_digest or config.built_digest != config.digest:
        log.warning("Progress updates of %s wait for rebuild_learning_plan_summaries", plan_key)
        return None
    row = PlanLearnerSummary.objects.filter(plan_key=plan_key, username=username).first()
    sources, rules = config_from_record(config.config)
    return core.plan_facts(sources, row.summaries if row else {}, rules, now.date(), now)


class PlanSwitches(dict):
    """
    Per plan, this run: whether its course team leaves progress updates on, and its stuck_days, read from
    the plan's settings (the modulestore in the LMS: ``PERSONALIZED_PATH_PLAN_LOADER``), never learner state.
    """

    def __missing__(self, plan_key):
        try:
            plan = next(iter(platform_function(PLAN_LOADER_SETTING, DEFAULT_PLAN_LOADER)([], [plan_key])), None)
        except Exception:  # pylint: disable=broad-except
            log.warning("Progress updates: the plan %s cannot be read; nothing sent for it", plan_key, exc_info=True)
            plan = None
        self[plan_key] = (bool(getattr(plan, "progress_updates", False)), getattr(plan, "stuck_days", 7)) \
            if plan is not None else (False, 7)
        return self[plan_key]


def send_due(now=None):
    """Send every update and nudge due at ``now``; answers how many went, by kind."""
    now = _now(now)
    counts, plans = {}, PlanSwitches()
    # A plan whose class summary is out of date (an upgrade's new column, a change a staff view found)
    # sends nothing until it is rebuilt: ask for that, so the next run sends without waiting for staff.
    for config in PlanSummaryConfig.objects.only("plan_key", "config", "built_digest").iterator():
        if config.built_digest != config_digest(config.config):
            SUMMARY_STORE.request_rebuild(config.plan_key, config.config)
    for recipient in UpdateRecipient.objects.filter(status=core.CONFIRMED).iterator():
        # The plan's course team turned it off, or the learner is now under the age rule: nothing.
        if not plans[recipient.plan_key][0] or not allowed_among([recipient.user_id]):
            continue
        kind = _recipient_due(recipient, now)
        if kind:
            counts[kind] = counts.get(kind, 0) + 1
    for config in PlanSummaryConfig.objects.exclude(built_digest="").iterator():
        if config.built_digest == config.digest and plans[config.plan_key][0]:
            for kind in _nudge_plan(config, plans[config.plan_key][1], now):
                counts[kind] = counts.get(kind, 0) + 1
    log.info("Progress updates sent: %s", counts)
    return counts


def _recipient_due(recipient, now):
    facts = learner_facts(recipient.plan_key, recipient.username, now)
    if facts is None:
        return None
    since = recipient.confirmed_at if recipient.last_sent_kind == core.CONFIRM_REQUEST else recipient.last_sent_at
    changes = core.changes_since(recipient.last_facts, facts, recipient.include_goals)
    if core.digest_due(recipient.frequency, since, now):
        kind = core.DIGEST
    elif recipient.frequency == core.CHANGES and changes:
        kind = core.CHANGE
    else:
        return None
    sections = core.message_sections(facts, recipient.include_goals, recipient.include_checkins)
    try:
        _send(recipient, kind, now, {}, sections=sections, changes=changes if kind == core.CHANGE else [])
    except PayloadError:
        return None
    UpdateRecipient.objects.filter(pk=recipient.pk).update(last_facts=facts)
    return kind


def translated(language, message, params=None):
    """An N_ message in ``language`` from this package's catalog, filled in with ``params`` (facts shown in words)."""
    text = package_catalog(language).gettext(message)
    return text % {key: _shown(language, value) for key, value in params.items()} if params else text


def _shown(language, value):
    """A fact in the message's language: a band label translated, a day as the language writes dates."""
    if value in core.BAND_TEXTS:
        return package_catalog(language).gettext(value)
    try:
        day = datetime.fromisoformat(value).date() if isinstance(value, str) and len(value) == 10 else None
    except ValueError:
        day = None
    return formats.date_format(day, "DATE_FORMAT") if day else value


def _send(recipient, kind, now, extra, *, sections, changes):
    """Send one message to a recipient, record it in the log and on the recipient; PayloadError if refused."""
    language = recipient.language or "en"
    with translation.override(language):
        told_sections = [{"title": translated(language, section["title"], {}),
                          "lines": [translated(language, text, params) for text, params in section["lines"]]}
                         for section in sections]
        told_changes = [translated(language, text, params) for text, params in changes]
        context = dict({"learner_name": recipient.learner_name, "course_name": recipient.course_name,
                        "plan_url": recipient.plan_url, "stop_url": link("stop", recipient),  # on every message
                        "changes": told_changes, "sections": told_sections}, **extra)
        try:
            address = decrypt(recipient.address_encrypted)
        except InvalidToken:  # encrypted under another SECRET_KEY
            log.error("Progress update %s to recipient %s: the address cannot be decrypted", kind, recipient.pk)
            raise PayloadError("email", NOT_SENT) from None
        try:
            messaging.send_update(kind, address, recipient.name, context, language)
        except messaging.MessageNotSent:
            log.warning("Progress update %s to recipient %s not sent", kind, recipient.pk, exc_info=True)
            raise PayloadError("email", NOT_SENT) from None
    SentMessage.objects.create(plan_key=recipient.plan_key, user_id=recipient.user_id,
                               recipient_hash=recipient.address_hash, recipient_hint=recipient.address_hint,
                               recipient_name=recipient.name, kind=kind, channel="email", sent_at=now,
                               event=f"{kind}:{recipient.pk}:{now.isoformat()}")
    UpdateRecipient.objects.filter(pk=recipient.pk).update(
        last_sent_at=now, last_sent_kind=kind, last_sent={"changes": told_changes, "sections": told_sections})


def _nudge_plan(config, stuck_days, now):
    """
    Nudge the plan's learners who have something due: the candidates are read from the summary's indexed
    days, the due nudges from their rows; each is claimed in the log (unique event) before it goes, so it
    goes once. Learners switch kinds off in LearnerNudges; a learner with no row gets every kind.
    """
    today = now.date()
    rows = PlanLearnerSummary.objects.filter(plan_key=config.plan_key)
    candidates = set()
    for due in (rows.filter(stuck_since__lte=today - timedelta(days=stuck_days)),
                rows.filter(next_checkin_due__lt=today), rows.filter(next_review_due__lte=now)):
        candidates.update(due.values_list("username", flat=True).iterator())
    sources, rules = config_from_record(config.config)
    learners_of = platform_function(LEARNERS_SETTING, DEFAULT_LEARNERS)
    sent = []
    usernames = sorted(candidates)
    for start in range(0, len(usernames), NUDGE_CHUNK):
        chunk = usernames[start:start + NUDGE_CHUNK]
        learners = learners_of(chunk)
        allowed = allowed_among([user_id for user_id, _language in learners.values()])
        switches = {row.user_id: row for row in LearnerNudges.objects.filter(
            plan_key=config.plan_key, user_id__in=list(allowed))}
        due = []
        for username, summaries in rows.filter(username__in=chunk).values_list("username", "summaries"):
            user_id, language = learners.get(username, ("", ""))
            if user_id not in allowed:
                continue
            off = [kind for kind in core.NUDGE_KINDS if user_id in switches and not getattr(switches[user_id], kind)]
            facts = core.plan_facts(sources, summaries, rules, today, now)
            due += [(user_id, language or settings.LANGUAGE_CODE, nudge)
                    for nudge in core.due_nudges(facts, stuck_days, today, now, off)]
        done = set(SentMessage.objects.filter(plan_key=config.plan_key, user_id__in=list(allowed), event__in=[
            nudge[1] for _user_id, _language, nudge in due]).values_list("user_id", "event"))
        learner = {"plan_key": config.plan_key, "course_key": config.course_key}
        plan_url = _plan_url(learner)
        sent += [kind for user_id, language, (kind, event, text, params) in due if (user_id, event) not in done
                 and _nudge(dict(learner, user_id=user_id, language=language, plan_url=plan_url),
                            kind, event, (text, params), now)]
    return sent


def _nudge(learner, kind, event, sentence, now):
    """Claim the event in the log, then send; True when it went (not when the learner's platform setting is off)."""
    try:
        with transaction.atomic():
            claim = SentMessage.objects.create(plan_key=learner["plan_key"], user_id=learner["user_id"], kind=kind,
                                               event=event, sent_at=now)
    except IntegrityError:
        return False  # being sent by another run
    with translation.override(learner["language"]):
        context = {"sentence": translated(learner["language"], *sentence), "url": learner["plan_url"]}
        try:
            channel = messaging.nudge_learner(kind, learner["user_id"], learner["course_key"], context,
                                              learner["language"])
        except messaging.MessageNotSent:
            log.warning("Nudge %s for user %s not sent", event, learner["user_id"], exc_info=True)
            claim.delete()
            return False
    SentMessage.objects.filter(pk=claim.pk).update(channel=channel or "")
    return channel != "off"


# --- retirement -------------------------------------------------------------------------------------------

def forget_learner(user_id):
    """Erase a retired learner's recipients, reminder rows and the addresses in their sent log."""
    UpdateRecipient.objects.filter(user_id=str(user_id)).delete()
    LearnerNudges.objects.filter(user_id=str(user_id)).delete()
    SentMessage.objects.filter(user_id=str(user_id)).update(recipient_hash="", recipient_hint="", recipient_name="")
