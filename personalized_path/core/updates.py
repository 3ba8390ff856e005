"""
Progress updates for the people a learner chooses, and nudges for the learner (issue 28): what a
recipient must be, how an address is shown back, the facts of a learner's plan a message tells,
what changed since the last message, and which nudges are due. Pure: the platform glue
(openedx/updates.py) stores, schedules and sends.

Facts are plain JSON (they are stored with each recipient as what the last message told):
``{"skills": {skill: band}, "gates": {key: {"title", "status", "reached"}},
"goals": {key: {"title", "goals_set", "checkins", "due", "overdue"}}, "reviews": {skill: ISO time}}``.
"""
import re
from datetime import date, datetime, timedelta

from . import N_
from .payload import PayloadError, as_bool, as_text, only_keys, require
from .plan import BAND_LABELS, MASTERED, learner_row

MAX_RECIPIENTS = 3
NAME_MAX_CHARS = 100
ADDRESS_MAX_CHARS = 254  # the longest address SMTP carries (RFC 5321's path limit)
WEEKLY, CHANGES = "weekly", "changes"
FREQUENCIES = (WEEKLY, CHANGES)
DIGEST_DAYS = 7
PENDING, CONFIRMED, STOPPED = "pending", "confirmed", "stopped"
CONFIRM_REQUEST, DIGEST, CHANGE = "confirm_request", "progress_digest", "progress_change"
CHECKIN_OVERDUE, STUCK_AT_GATE, REVIEW_DUE = "checkin_overdue", "stuck_at_gate", "review_due"
NUDGE_KINDS = (CHECKIN_OVERDUE, STUCK_AT_GATE, REVIEW_DUE)
NUDGE_LABELS = {CHECKIN_OVERDUE: N_("When a check-in on my goals is overdue"),
                STUCK_AT_GATE: N_("When I have been stuck at a locked part for a while"),
                REVIEW_DUE: N_("When a skill is due for review")}
KIND_LABELS = {CONFIRM_REQUEST: N_("Request to confirm"), DIGEST: N_("Weekly update"),
               CHANGE: N_("Update on what changed"), CHECKIN_OVERDUE: N_("Reminder: check-in overdue"),
               STUCK_AT_GATE: N_("Reminder: stuck at a locked part"), REVIEW_DUE: N_("Reminder: review a skill")}
STATUS_LABELS = {PENDING: N_("Waiting for confirmation"), CONFIRMED: N_("Receiving updates"),
                 STOPPED: N_("Stopped")}
FREQUENCY_LABELS = {WEEKLY: N_("Every week"), CHANGES: N_("When something changes")}
# The shape of an address, not its existence: one @, a dot in the domain, no spaces or brackets.
ADDRESS_RE = re.compile(r"^[^@\s<>()\[\],;:\"]{1,64}@[^@\s<>()\[\],;:\"_]+\.[^@\s<>()\[\],;:\"_.]{2,63}$")
MASK = "\u2022\u2022\u2022"
BAND_TEXTS = frozenset(BAND_LABELS.values())  # facts a message translates


def normalized_address(address):
    """The address as it is compared and hashed: without surrounding spaces, in lowercase."""
    return address.strip().lower()


def parse_recipient(data):
    """
    ``{"name", "email", "frequency", "include_goals", "include_checkins"}`` checked, each error a
    sentence naming its field; the address normalized.
    """
    only_keys(data, ("name", "email", "frequency", "include_goals", "include_checkins"))
    name = as_text(require(data, "name"), "name", NAME_MAX_CHARS, min_chars=1, multiline=False).strip()
    email = as_text(require(data, "email"), "email", ADDRESS_MAX_CHARS, ADDRESS_MAX_CHARS, multiline=False)
    email = normalized_address(email)
    if not ADDRESS_RE.match(email) or ".." in email:
        raise PayloadError("email", N_("Enter an email address such as name@example.org."))
    frequency = require(data, "frequency")
    if frequency not in FREQUENCIES:
        raise PayloadError("frequency", N_("Choose how often: every week, or when something changes."))
    return {"name": name, "email": email, "frequency": frequency,
            "include_goals": as_bool(data.get("include_goals", False), "include_goals"),
            "include_checkins": as_bool(data.get("include_checkins", False), "include_checkins")}


def admit_recipient(active_addresses, address, stopped):
    """
    Refuse a new recipient where the learner has MAX_RECIPIENTS already (``active_addresses``, the
    normalized addresses not stopped), the address is among them, or it stopped this learner's updates.
    """
    if stopped:
        raise PayloadError("email", N_("This person stopped your updates, so they cannot be added again."))
    if address in active_addresses:
        raise PayloadError("email", N_("This person is already on your list."))
    if len(active_addresses) >= MAX_RECIPIENTS:
        raise PayloadError("email", N_("You can share your progress with at most %(limit)s people. "
                                       "Remove someone first."), limit=MAX_RECIPIENTS)


def parse_nudges(data):
    """``{kind: bool}`` for each nudge kind the learner switches (at least one)."""
    only_keys(data, NUDGE_KINDS)
    if not data:
        raise PayloadError("", N_("Choose which reminders you want."))
    return {kind: as_bool(value, kind) for kind, value in data.items()}


def mask_address(address):
    """``jane@example.org`` -> ``j•••@example.org``: enough for the learner to tell addresses apart."""
    local, _at, domain = (address or "").partition("@")
    return f"{local[:1]}{MASK}@{domain}" if domain else MASK


# --- the facts of a plan ---------------------------------------------------------------------------

def plan_facts(sources, summaries, rules, today, now):
    """A learner's plan as facts (see the module), from each source's ``summarize_state``."""
    row = learner_row("", sources, summaries, rules, today, now=now)
    gates = {}
    for gate in row["gates"]:
        reached = (summaries.get(gate["key"]) or {}).get("reached_at")
        gates[gate["key"]] = {"title": gate["title"], "status": gate["status"],
                              "reached": reached[:10] if isinstance(reached, str) else None}
    goals = {goal["key"]: {"title": goal["title"], "goals_set": goal["goals_set"], "due": goal["next_checkin_due"],
                           "overdue": goal["overdue"],
                           "checkins": _count((summaries.get(goal["key"]) or {}).get("checkins"))}
             for goal in row["goals"]}
    return {"skills": {skill["skill"]: skill["band"] for skill in row["skills"]}, "gates": gates, "goals": goals,
            "reviews": {skill["skill"]: skill["review_due"] for skill in row["skills"] if skill["review_due"]}}


def _count(value):
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def message_sections(facts, include_goals, include_checkins):
    """
    What a digest tells, ``[{"title": N_ text, "lines": [(N_ text, params)]}]``: skills and gates in
    words; goals only if ticked, the check-in dates only if check-ins are ticked too.
    """
    sections = [{"title": N_("Skills"), "lines": [
        (N_("%(skill)s: %(band)s"), {"skill": skill, "band": BAND_LABELS[band]})
        for skill, band in sorted(facts["skills"].items())] or [(N_("No skills measured yet."), {})]}]
    gate_lines = []
    for gate in facts["gates"].values():
        text = {"unlocked": N_("“%(title)s” is open."), "locked": N_("“%(title)s” is still locked.")}.get(
            gate["status"], N_("“%(title)s” not reached yet."))
        gate_lines.append((text, {"title": gate["title"]}))
    if gate_lines:
        sections.append({"title": N_("Parts that open with progress"), "lines": gate_lines})
    if include_goals and facts["goals"]:
        lines = []
        for goal in facts["goals"].values():
            lines.append((N_("“%(title)s”: goals set.") if goal["goals_set"] else N_("“%(title)s”: no goals set yet."),
                          {"title": goal["title"]}))
            if include_checkins and goal["due"]:
                lines.append((N_("Next check-in was due on %(date)s.") if goal["overdue"]
                              else N_("Next check-in due on %(date)s."), {"date": goal["due"]}))
        sections.append({"title": N_("Goals"), "lines": lines})
    return sections


def changes_since(before, after, include_goals):
    """
    What changed from the facts last told (``before``, None: nothing told yet) to now, as
    ``[(N_ sentence, params)]``: a skill mastered, a gate opened; with goals included, a check-in
    made (the learner reached the next step of their goals) or a check-in overdue.
    """
    if before is None:
        return []
    found = []
    for skill, band in sorted(after["skills"].items()):
        if band == MASTERED and before.get("skills", {}).get(skill) != MASTERED:
            found.append((N_("Mastered the skill %(skill)s."), {"skill": skill}))
    for key, gate in after["gates"].items():
        if gate["status"] == "unlocked" and before.get("gates", {}).get(key, {}).get("status") != "unlocked":
            found.append((N_("Opened “%(title)s”."), {"title": gate["title"]}))
    if include_goals:
        for key, goal in after["goals"].items():
            earlier = before.get("goals", {}).get(key, {})
            if goal["checkins"] > earlier.get("checkins", 0):
                found.append((N_("Checked in on the goals in “%(title)s”."), {"title": goal["title"]}))
            if goal["overdue"] and not earlier.get("overdue"):
                found.append((N_("A check-in on the goals in “%(title)s” is overdue."), {"title": goal["title"]}))
    return found


def digest_due(frequency, since, now):
    """Whether a weekly digest is due: DIGEST_DAYS since ``since`` (the last message or the confirmation)."""
    return frequency == WEEKLY and since is not None and now - since >= timedelta(days=DIGEST_DAYS)


def due_nudges(facts, stuck_days, today, now, switched_off=()):
    """
    ``[(kind, event key, N_ sentence, params)]`` due now, each with a key that names its event so it
    goes once: a check-in overdue (per goal block and due day), stuck at a gate for ``stuck_days`` or
    more (per gate and day reached), a skill due for review (per skill and due time).
    """
    nudges = []
    if CHECKIN_OVERDUE not in switched_off:
        for key, goal in facts["goals"].items():
            if goal["overdue"]:
                nudges.append((CHECKIN_OVERDUE, f"{CHECKIN_OVERDUE}:{key}:{goal['due']}",
                               N_("Your check-in on your goals in “%(title)s” was due on %(date)s."),
                               {"title": goal["title"], "date": goal["due"]}))
    if STUCK_AT_GATE not in switched_off:
        for key, gate in facts["gates"].items():
            reached = _day(gate.get("reached"))
            if gate["status"] == "locked" and reached and (today - reached).days >= stuck_days:
                nudges.append((STUCK_AT_GATE, f"{STUCK_AT_GATE}:{key}:{reached.isoformat()}",
                               N_("“%(title)s” has been locked for you for %(days)s days. Your plan shows the "
                                  "next step."), {"title": gate["title"], "days": (today - reached).days}))
    if REVIEW_DUE not in switched_off:
        for skill, due in sorted(facts["reviews"].items()):
            when = _time(due)
            if when and when <= now:
                nudges.append((REVIEW_DUE, f"{REVIEW_DUE}:{skill}:{due}",
                               N_("The skill %(skill)s is due for review: a short practice keeps it fresh."),
                               {"skill": skill}))
    return nudges


def _day(text):
    try:
        return date.fromisoformat(text[:10]) if isinstance(text, str) else None
    except ValueError:
        return None


def _time(text):
    try:
        return datetime.fromisoformat(text) if isinstance(text, str) else None
    except ValueError:
        return None
