"""
Filters every template of the package has without ``{% load %}`` (TemplateRenderer's engines list
this module among their builtins, after Django's own, so a name here replaces Django's).

``date`` is Django's ``date`` filter with its answers kept per process: one date costs about
167,000 instructions to format (the language's format and month names, looked up through the
active translation), and the same few dates (today, a goal's target) come back on every render.
The key holds everything the answer depends on: the value (put in the reader's time zone by
``dates.local_time``), its time zone, the format and the language.
"""
import functools
from datetime import datetime

from django.template import Library
from django.template.defaultfilters import date as django_date
from django.utils.html import format_html
from django.utils.timezone import get_current_timezone
from django.utils.translation import get_language

from .dates import local_time, zone_name

register = Library()

DATES_KEPT = 1024


@register.filter(is_safe=False)
def date(value, arg=None):
    """Django's ``date`` filter, the same answer, for the value in the reader's time zone (see dates.local_time)."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = local_time(value)
    try:
        return _formatted(value, str(getattr(value, "tzinfo", None)), arg, get_language())
    except TypeError:  # an unhashable value: Django's filter decides what it shows
        return django_date(value, arg)


@register.filter(is_safe=False)
def zoned(value, arg=None):
    """A date or time that matters (a due day, an opening time) in the reader's zone, with the zone named."""
    shown = date(value, arg)
    return f"{shown} ({zone_name(get_current_timezone())})" if shown else shown


@functools.lru_cache(maxsize=DATES_KEPT, typed=True)
def _formatted(value, zone, arg, language):  # pylint: disable=unused-argument
    """Django's answer for the active language; ``zone`` and ``language`` are part of the key only."""
    return django_date(value, arg)


@register.filter(is_safe=True)
def isolate(value):
    """
    Author or learner text put inside a translated sentence, isolated in ``<bdi>`` (escaped): it
    takes its own direction, so English in an Arabic sentence keeps its punctuation in place, and
    the bidirectional control characters a learner typed cannot reorder the sentence around it.
    """
    if value is None or value == "":
        return value
    return format_html("<bdi>{}</bdi>", value)
