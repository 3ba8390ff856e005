"""
Pure domain logic for personalized_path: no XBlock or Django imports here.

Messages meant for people are marked with ``N_`` so gettext extracts them; the block layer
translates them with the runtime's i18n service when it shows them.
"""
import math


def N_(message):  # pylint: disable=invalid-name
    """Mark a message for extraction without translating it here (gettext_noop)."""
    return message


def NP_(singular, plural):  # pylint: disable=invalid-name
    """Mark a message with a plural form (ngettext_noop); the block picks the form by its count."""
    return (singular, plural)


def is_finite_number(value):
    """A JSON number that is finite: not a boolean, NaN or infinity (an integer of any size counts)."""
    return not isinstance(value, bool) and (
        isinstance(value, int) or (isinstance(value, float) and math.isfinite(value)))


def percent_text(value):
    """
    A percentage as every view writes it: a whole number, rounded half up (66.67 -> "67"), except
    that a value short of 100 never shows as "100". None -> "".
    """
    if value is None or isinstance(value, bool):
        return ""
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return ""
    if not math.isfinite(number):
        return ""
    whole = int(number + 0.5) if number >= 0 else -int(-number + 0.5)
    return str(99 if whole == 100 and number < 100 else whole)


def count_of(value):
    """A stored count as a whole number of 0 or more; anything garbled counts as 0."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0
