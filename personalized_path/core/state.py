"""
Versioned shapes for stored learner state.

Stored state is never trusted: it is read into a copy, migrated step by step to the current
version, and checked. Anything unreadable yields the block's default state and a reason the
caller can log, never an exception.
"""
import copy
import json
from dataclasses import dataclass, field

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


class StateShapeError(ValueError):
    """Stored state that cannot be read or migrated."""


@dataclass(frozen=True)
class StateShape:
    """
    How one block's learner state is stored.

    ``migrations[n]`` turns a version-``n`` state into version ``n + 1``; ``check`` raises
    StateShapeError (or any ValueError, TypeError, KeyError) when a current-version state is garbled.
    """

    version: int
    default: callable
    check: callable
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
            self.check(state)
            return state, None
        except (StateShapeError, ValueError, TypeError, KeyError, AttributeError) as error:
            return self.default(), f"{type(error).__name__}: {error}"
