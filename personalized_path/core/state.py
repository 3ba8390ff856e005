"""
Versioned shapes for stored learner state.

Stored state is never trusted: it is read into a copy, migrated step by step to the current
version, and checked. Anything unreadable yields the block's default state and a reason the
caller can log, never an exception.
"""
import copy
from dataclasses import dataclass, field


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
