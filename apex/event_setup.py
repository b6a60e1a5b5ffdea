"""What an event setup edit changes, and what the setup was at an earlier version.

Pure functions shared by both stores and the views. A saved edit bumps the
event setup's version by one and records one change per parameter it changed,
each marked with that new version; so the setup at version ``v`` is today's
values with every change made after ``v`` undone, newest first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from apex.catalogue import BY_KEY, PARAM_KEYS, PARAMS, Value, coerce, format_value
from apex.compare import Change, setup_changes
from apex.models import SetupChange


def edit_changes(current: Mapping[str, Value], given: Mapping[str, Value]) -> list[Change]:
    """The parameters ``given`` sets to a new value (keys it leaves out keep theirs)."""
    return setup_changes(current, given, [p for p in PARAMS if p.key in given])


def as_text(key: str, value: Value) -> str:
    """A value as a change row stores it (``""`` for unset)."""
    return format_value(BY_KEY[key], coerce(BY_KEY[key], value))


def values_at(current: Mapping[str, Value], changes: Sequence[SetupChange], version: int
              ) -> dict[str, Value]:
    """The setup as it was at ``version``: accepted changes made after it undone."""
    values = {k: current.get(k) for k in PARAM_KEYS}
    later = [c for c in changes if c.version is not None and c.version > version
             and c.parameter in BY_KEY]
    for change in sorted(later, key=lambda c: (c.version, c.created_at), reverse=True):
        values[change.parameter] = coerce(BY_KEY[change.parameter], change.old_value)
    return values
