"""
Every date and time a person reads goes through here: in the reader's time zone, which the platform
keeps as a user preference (the LMS's user service hands it to XBlocks in
``opt_attrs["edx-platform.user_preferences"]["time_zone"]``), or UTC when there is none.
"""
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils import timezone as django_timezone
from django.utils.dateformat import format as format_date
from django.utils.formats import get_format

# Where the platform's user service puts a user's preferences (only 'pref-lang' and 'time_zone').
USER_PREFERENCES = "edx-platform.user_preferences"
TIME_ZONE_PREFERENCE = "time_zone"


def user_time_zone(user):
    """The time zone of an ``XBlockUser`` (the user service's current user); UTC when unset or unknown."""
    preferences = getattr(user, "opt_attrs", {}).get(USER_PREFERENCES) if user is not None else None
    name = preferences.get(TIME_ZONE_PREFERENCE) if isinstance(preferences, dict) else None
    return zone_named(name)


def zone_named(name):
    """The IANA zone ``name`` ("Pacific/Auckland"); UTC for anything else."""
    if isinstance(name, str) and name and name != "UTC":
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return timezone.utc


def zone_name(zone):
    """How a zone is named to the reader ("Pacific/Auckland", "UTC")."""
    return getattr(zone, "key", None) or "UTC"


def local_time(value, zone=None):
    """
    ``value`` (an aware datetime or a stored ISO timestamp) in ``zone`` (by default the zone active
    while a view renders); a plain date as it is; None when unreadable. A naive datetime is taken
    as UTC, as the blocks store time.
    """
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(zone or django_timezone.get_current_timezone())
    return value if isinstance(value, date) else None


def local_day(value, zone=None):
    """The calendar day ``value`` falls on in ``zone``: what "today" and due days mean to the reader."""
    moment = local_time(value, zone)
    return moment.date() if isinstance(moment, datetime) else moment


def time_text(value, zone, fmt="DATETIME_FORMAT"):
    """``value`` in ``zone`` in the active language's ``fmt``, followed by the zone's name; "" when unreadable."""
    moment = local_time(value, zone)
    if moment is None:
        return ""
    return f"{format_date(moment, get_format(fmt))} ({zone_name(zone)})"


def parse_iso(value):
    """A stored ISO timestamp as an aware datetime, or None when unreadable."""
    try:
        return datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
