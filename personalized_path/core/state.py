"""
Versioned shapes for stored learner state.

Stored state is never trusted: it is read into a copy, migrated step by step to the current
version, and checked. Anything unreadable yields the block's default state and a reason the
caller can log, never an exception.
"""
import copy
import json
from dataclasses import dataclass, field
from datetime import timezone

from . import is_finite_number

# The most any one stored learner field may take, as stored: JSON with non-ASCII characters
# escaped, as the LMS writes StudentModule.state. Every view parses and copies the state.
FIELD_MAX_BYTES = 256 * 1024


def stored_size(value):
    """Bytes ``value`` takes when stored (``json.dumps`` as the LMS and the workbench write it)."""
    return len(json.dumps(value))


def keep_newest(state, key, entries, limit, max_bytes=FIELD_MAX_BYTES):
    """
    ``state`` with the newest of ``entries`` (oldest first) under ``key``: at most ``limit`` of
    them, and only as many as keep the whole state within ``max_bytes`` as stored. The newest
    entry always stays (a state that cannot hold it is refused when it is saved).
    """
    total = stored_size(dict(state, **{key: []}))
    kept = []
    for entry in reversed(entries[-limit:]):
        size = stored_size(entry) + (2 if kept else 0)  # ", " between list items
        if kept and total + size > max_bytes:
            break
        kept.append(entry)
        total += size
    return dict(state, **{key: kept[::-1]})


def stored_time(moment):
    """A time as learner state stores it: ISO 8601 in UTC, to the second."""
    return moment.astimezone(timezone.utc).replace(microsecond=0).isoformat()


def is_stale(sent, current):
    """Whether a write made from a page at revision ``sent`` (None: no revision sent) comes too late."""
    return sent is not None and sent != current


class StateShapeError(ValueError):
    """Stored state that cannot be read or migrated; ``path`` says where inside the value."""

    def __init__(self, problem, path=()):
        super().__init__(problem)
        self.problem, self.path = problem, list(path)

    def inside(self, key):
        """The same error, one level further out (the path is put together only when there is an error)."""
        self.path.insert(0, key)
        return self

    def __str__(self):
        where = "".join(f"[{key}]" if isinstance(key, int) else f".{key}" for key in self.path).lstrip(".")
        return f"{where}: {self.problem}" if where else self.problem


# --- declared shapes of stored JSON --------------------------------------------------------------
#
# Every stored value is checked against a declared shape, leaf by leaf, before any block code sees
# it: ``shape.check(value)`` returns the value (optional keys the shape gives a default filled in)
# or raises StateShapeError naming where it does not fit ("history[0].evidence: int where an object
# belongs").


class Shape:
    """A JSON shape; ``check`` raises StateShapeError naming the first place that does not fit."""

    expected = "a value"

    def check(self, value):
        if not self.accepts(value):
            raise StateShapeError(f"{type(value).__name__} where {self.expected} belongs")
        return value

    def accepts(self, value):  # pylint: disable=unused-argument
        return True

    def fits(self, value):
        """Whether ``value`` fits, without filling anything in (for values that must not change)."""
        try:
            self.check(value)
        except StateShapeError:
            return False
        return True


ANY = Shape()


class Text(Shape):
    """A string."""

    expected = "text"

    def check(self, value):
        if value.__class__ is str:  # the common case first: leaves are most of what is checked
            return value
        return super().check(value)

    def accepts(self, value):
        return isinstance(value, str)


class Flag(Shape):
    """A boolean."""

    expected = "true or false"

    def check(self, value):
        if value is True or value is False:
            return value
        return super().check(value)

    def accepts(self, value):
        return isinstance(value, bool)


class Number(Shape):
    """A finite number (an integer where ``whole``), within optional bounds."""

    def __init__(self, minimum=None, maximum=None, whole=False):
        self.minimum, self.maximum, self.whole = minimum, maximum, whole
        self.expected = f"{'a whole number' if whole else 'a number'} in [{minimum}, {maximum}]"

    def accepts(self, value):
        if not is_finite_number(value) or (self.whole and not isinstance(value, int)):
            return False
        return (self.minimum is None or value >= self.minimum) and (self.maximum is None or value <= self.maximum)


def Whole(minimum=None, maximum=None):  # pylint: disable=invalid-name
    return Number(minimum, maximum, whole=True)


COUNT = Whole(0)
TEXT = Text()
FLAG = Flag()


class OneOf(Shape):
    """One of a few fixed values (of the same type: 1 is not True)."""

    def __init__(self, *values):
        self.values = values
        self.expected = "one of " + ", ".join(repr(value) for value in values)

    def accepts(self, value):
        return any(value == option and type(value) is type(option) for option in self.values)


class Either(Shape):
    """A value that fits one of ``shapes`` (the first that fits)."""

    def __init__(self, *shapes):
        self.shapes = shapes

    def check(self, value):
        for shape in self.shapes:
            if shape.fits(value):
                return shape.check(value)
        raise StateShapeError(f"{type(value).__name__} fits none of its shapes")


class Optional(Shape):
    """None, or ``shape``."""

    def __init__(self, shape):
        self.shape = shape

    def check(self, value):
        return None if value is None else self.shape.check(value)


class Collection(Shape):
    """A JSON list or object whose items all have one shape; a misfit is named by its index or key."""

    container = object  # each kind names its own: list, dict

    def __init__(self, item):
        self.item = item

    def entries(self, value):
        raise NotImplementedError

    def check(self, value):
        if value.__class__ is not self.container:
            super().check(value)
        for place, item in self.entries(value):
            try:
                self.item.check(item)
            except StateShapeError as error:
                raise error.inside(place)
        return value

    def accepts(self, value):
        return isinstance(value, self.container)


class ListOf(Collection):
    """A list whose items all have one shape."""

    expected = "a list"
    container = list
    entries = staticmethod(enumerate)


class MapOf(Collection):
    """An object whose values all have one shape (its keys are text, as in any JSON object)."""

    expected = "an object"
    container = dict
    entries = staticmethod(dict.items)


class Record(Shape):
    """
    An object with ``required`` keys and ``optional`` ones (absent, or of their shape); keys in
    ``defaults`` (name -> (shape, default)) are filled in when absent. Other keys are kept as they are.
    """

    expected = "an object"

    def __init__(self, required=None, optional=None, defaults=None):
        self.required, self.optional, self.defaults = required or {}, optional or {}, defaults or {}

    def check(self, value):
        if value.__class__ is not dict:
            super().check(value)
        for key, shape in self.required.items():
            if key not in value:
                raise StateShapeError("missing", [key])
            self._check_key(shape, value, key)
        for key, shape in self.optional.items():
            if key in value:
                self._check_key(shape, value, key)
        for key, (shape, default) in self.defaults.items():
            if key in value:
                self._check_key(shape, value, key)
            else:
                value[key] = copy.deepcopy(default)
        return value

    @staticmethod
    def _check_key(shape, value, key):
        try:
            shape.check(value[key])
        except StateShapeError as error:
            raise error.inside(key)

    def accepts(self, value):
        return isinstance(value, dict)


@dataclass(frozen=True)
class StateShape:
    """
    How one block's learner state is stored.

    ``migrations[n]`` turns a version-``n`` state into version ``n + 1``; ``shape`` (a Record) is the
    current version's declared shape, checked leaf by leaf; ``check`` adds what a shape cannot say
    (one key bounded by another) and raises StateShapeError (or any ValueError, TypeError,
    KeyError) when a current-version state is garbled.
    """

    version: int
    default: callable
    shape: Shape
    check: callable = None
    migrations: dict = field(default_factory=dict)

    def read(self, stored, copy_current=True):
        """
        Return ``(state, problem)``: a migrated copy, and a reason when defaults were used. With
        ``copy_current=False`` a state already at the current version comes back as stored, not
        copied: for readers that never change it.
        """
        if not stored:
            return self.default(), None
        try:
            current = isinstance(stored, dict) and stored.get("version") == self.version
            state = stored if current and not copy_current else copy.deepcopy(stored)
            if not isinstance(state, dict):
                raise StateShapeError("stored state is not an object")
            version = state.get("version", 0)
            if isinstance(version, bool) or not isinstance(version, int) or version > self.version:
                raise StateShapeError(f"unknown state version {version!r}")
            while version < self.version:
                if version not in self.migrations:
                    raise StateShapeError(f"no migration from version {version}")
                state = self.migrations[version](state)
                version += 1
                state["version"] = version
            self.shape.check(state)
            if self.check is not None:
                self.check(state)
            return state, None
        except (StateShapeError, ValueError, TypeError, KeyError, AttributeError) as error:
            return self.default(), f"{type(error).__name__}: {error}"
