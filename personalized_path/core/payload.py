"""
Strict reading of JSON handler bodies and of the values inside them.

Every check raises PayloadError naming the offending field, so a handler can answer 400
before it has touched a single field.
"""
import json
import re
import unicodedata

from . import N_, NP_, is_finite_number

MAX_BODY_BYTES = 256 * 1024
MAX_DEPTH = 8

# C0 and C1 control characters other than tab, line feed and carriage return.
_CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
# Numbers in text: ASCII digits only (``str.isdigit`` also takes "²" and "①", which ``int`` refuses).
DIGITS_RE = re.compile(r"^[0-9]{1,15}$")
DECIMAL_RE = re.compile(r"^[+-]?(?:[0-9]{1,15}(?:\.[0-9]{0,15})?|\.[0-9]{1,15})$")
# The largest magnitude any numeric setting takes when its field names no bound of its own.
MAX_SETTING_NUMBER = 10 ** 6


class PayloadError(ValueError):
    """
    A request body or value that fails validation; ``field`` names where. ``message`` is an
    N_-marked text, or an NP_-marked (singular, plural) pair whose form follows ``params["count"]``.
    """

    def __init__(self, field, message, **params):
        super().__init__(_english(message, params))
        self.field = field
        self.message = message
        self.params = params

    def sentence(self, gettext=lambda text: text, ngettext=None):
        """The message alone, in the reader's language: what learners read (the field travels apart)."""
        return translated(self.message, self.params, gettext, ngettext)

    def render(self, gettext=lambda text: text, ngettext=None):
        """The message with the field name in front, for authors in Studio."""
        text = self.sentence(gettext, ngettext)
        return f"{self.field}: {text}" if self.field else text


def _english(message, params):
    return translated(message, params, lambda text: text)


def translated(message, params, gettext, ngettext=None):
    """An N_ or NP_ message in the reader's language, filled in with ``params``."""
    if isinstance(message, tuple):
        count = params.get("count", 0)
        if ngettext:
            text = ngettext(message[0], message[1], count)  # pylint: disable=translation-of-non-string
        else:
            text = message[0] if count == 1 else message[1]
    else:
        text = gettext(message)  # pylint: disable=translation-of-non-string
    return text % params if params else text


def _reject_constant(name):
    raise PayloadError("", N_("Numbers must be finite: %(value)s is not allowed."), value=name)


def _depth(value, level=0):
    """How many objects and arrays are nested in a decoded JSON value (stops past MAX_DEPTH)."""
    if not isinstance(value, (dict, list)) or level > MAX_DEPTH:
        return level
    children = value.values() if isinstance(value, dict) else value
    return max([_depth(child, level + 1) for child in children] or [level + 1])


def parse_object(body):
    """Decode a request body that must be one JSON object; raise PayloadError otherwise."""
    if not body:
        raise PayloadError("", N_("The request body is empty; a JSON object was expected."))
    if len(body) > MAX_BODY_BYTES:
        raise PayloadError("", N_("The request body is larger than %(limit)s bytes."), limit=MAX_BODY_BYTES)
    try:
        text = body.decode("utf-8") if isinstance(body, bytes) else body
        value = json.loads(text, parse_constant=_reject_constant)
    except PayloadError:
        raise
    except RecursionError as error:
        raise PayloadError("", N_("The JSON is nested more than %(limit)s levels deep."), limit=MAX_DEPTH) from error
    except ValueError as error:
        raise PayloadError("", N_("The request body is not valid JSON.")) from error
    if not isinstance(value, dict):
        raise PayloadError("", N_("The request body must be a JSON object."))
    if _depth(value) > MAX_DEPTH:
        raise PayloadError("", N_("The JSON is nested more than %(limit)s levels deep."), limit=MAX_DEPTH)
    return value


def only_keys(data, allowed, field=""):
    """Refuse keys that the handler does not know."""
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise PayloadError(field or unknown[0], N_("Unknown key %(key)s."), key=json.dumps(unknown[0]))


def require(data, key, where=""):
    """The value under ``key``, which must be present (``where`` prefixes the field name)."""
    if key not in data:
        raise PayloadError(f"{where}.{key}" if where else key, N_("This field is required."))
    return data[key]


def authored_item(item, where, keys, seen, *, id_key="id", twice=N_("The id %(id)s is used twice.")):
    """
    One object of an author's list (statements, questions, routes...): only ``keys``, and under
    ``id_key`` a slug that no earlier item used (``seen``, which it joins). Returns that id.
    """
    as_object(item, where)
    only_keys(item, keys, where)
    item_id = as_slug(require(item, id_key, where), f"{where}.{id_key}")
    if item_id in seen:
        raise PayloadError(f"{where}.{id_key}", twice, id=item_id)
    seen.add(item_id)
    return item_id


def authored_items(items, field, keys, *, max_items=None, id_key="id", twice=N_("The id %(id)s is used twice.")):
    """``(where, item)`` for each object of an author's list under ``field``, checked by ``authored_item``."""
    as_list(items, field, max_items=max_items)
    seen = set()
    for index, item in enumerate(items):
        where = f"{field}[{index}]"
        authored_item(item, where, keys, seen, id_key=id_key, twice=twice)
        yield where, item


def as_object(value, field):
    """A JSON object (dict)."""
    if not isinstance(value, dict):
        raise PayloadError(field, N_("Expected a JSON object."))
    return value


def as_list(value, field, max_items=None):
    """A JSON array, optionally bounded in length."""
    if not isinstance(value, list):
        raise PayloadError(field, N_("Expected a list."))
    if max_items is not None and len(value) > max_items:
        raise PayloadError(field, N_("At most %(limit)s items are allowed."), limit=max_items)
    return value


def as_int(value, field, minimum=None, maximum=None):
    """A whole number (booleans and floats are refused), within optional bounds."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise PayloadError(field, N_("Expected a whole number."))
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise PayloadError(field, N_("Expected a number from %(minimum)s to %(maximum)s."),
                           minimum=minimum, maximum=maximum)
    return value


def as_number(value, field, minimum=None, maximum=None):
    """A finite number (booleans are refused), within optional bounds."""
    if not is_finite_number(value):
        raise PayloadError(field, N_("Expected a number."))
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise PayloadError(field, N_("Expected a number from %(minimum)s to %(maximum)s."),
                           minimum=minimum, maximum=maximum)
    return value


def as_digits(text):
    """A query-string number: the int of ASCII digits, or None for anything else (the caller refuses it)."""
    return int(text) if isinstance(text, str) and DIGITS_RE.match(text) else None


def as_setting_number(value, field, *, whole, minimum=None, maximum=None):
    """
    A number an author gave a setting (a JSON number, or its text as a form sends it): finite,
    whole where ``whole``, and within the bounds (MAX_SETTING_NUMBER where the setting names none).
    """
    message = N_("Enter a whole number.") if whole else N_("Enter a number.")
    if isinstance(value, str):
        text = value.strip()
        if not DECIMAL_RE.match(text):
            raise PayloadError(field, message)
        value = float(text) if "." in text else int(text)
    if not is_finite_number(value):
        raise PayloadError(field, message)
    if whole and isinstance(value, float):
        if not value.is_integer():
            raise PayloadError(field, message)
        value = int(value) if abs(value) <= MAX_SETTING_NUMBER else value
    minimum = -MAX_SETTING_NUMBER if minimum is None else minimum
    maximum = MAX_SETTING_NUMBER if maximum is None else maximum
    if not minimum <= value <= maximum:
        raise PayloadError(field, N_("Expected a number from %(minimum)s to %(maximum)s."),
                           minimum=minimum, maximum=maximum)
    return value


def as_bool(value, field):
    """A JSON boolean."""
    if not isinstance(value, bool):
        raise PayloadError(field, N_("Expected true or false."))
    return value


def as_text(value, field, max_chars, max_bytes=None, *, min_chars=0, multiline=True):
    """
    Text as typed (not stripped or escaped), limited in characters and in UTF-8 bytes.

    Control characters are refused; line breaks only where ``multiline``.
    """
    if not isinstance(value, str):
        raise PayloadError(field, N_("Expected text."))
    if _CONTROL_CHARS.search(value) or (not multiline and ("\n" in value or "\r" in value)):
        raise PayloadError(field, N_("Your text contains invisible control characters; remove them and try again."))
    if any(unicodedata.category(char) == "Cs" for char in value):
        raise PayloadError(field, N_("Your text contains characters that cannot be saved; remove them and try again."))
    length = len(value)
    if length > max_chars:
        raise PayloadError(field, N_("Your text is %(length)s characters long; shorten it to at most %(limit)s."),
                           length=length, limit=max_chars)
    max_bytes = max_bytes if max_bytes is not None else max_chars * 4
    size = len(value.encode("utf-8"))
    if size > max_bytes:
        raise PayloadError(field, N_("Your text is too long to save (%(size)s bytes; the limit is %(limit)s). "
                                     "Shorten it."),
                           size=size, limit=max_bytes)
    if len(value.strip()) < min_chars:
        raise PayloadError(field, NP_("Write at least %(count)s character.", "Write at least %(count)s characters."),
                           count=min_chars)
    return value


def as_slug(value, field):
    """A short id: lowercase letters, digits, hyphens and underscores."""
    if not isinstance(value, str) or not SLUG_RE.match(value):
        raise PayloadError(field, N_("Expected a short id of lowercase letters, digits, '-' or '_'."))
    return value


def top_field(path):
    """The field a problem's path starts with: ``"tiles"`` of ``"tiles[2].label"``."""
    return re.split(r"[.\[]", path, maxsplit=1)[0]
