"""What an event setup edit changes, and what the setup was at an earlier version.

Pure functions shared by both stores and the views. A saved edit bumps the
event setup's version by one and records one change per parameter it changed,
each marked with that new version; so the setup at version ``v`` is today's
values with every change made after ``v`` undone, newest first.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence

from apex.catalogue import BY_KEY, PARAM_KEYS, PARAMS, Value, coerce, format_value
from apex.compare import Change, setup_changes
from apex.models import Audit, Event, EventRecord, LibraryBaseline, Run, SetupChange


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


def rank_baselines(rows: Sequence[LibraryBaseline], track: str, context: Sequence[str]
                   ) -> list[LibraryBaseline]:
    """Library baselines for an event, best match first: same track, then each of the
    event's conditions (``context``: traction, surface, condition) named in the
    baseline's condition; newest first among equals."""
    track = track.strip().casefold()
    wanted = {w.casefold() for w in context if w}

    def score(row: LibraryBaseline) -> int:
        said = {w.casefold() for w in re.findall(r"[^\W_]+", row.condition)}
        return 4 * (bool(track) and row.track.strip().casefold() == track) + len(wanted & said)

    newest = sorted(rows, key=lambda r: (r.date, r.id), reverse=True)
    return sorted(newest, key=score, reverse=True)


def history_records(events: Sequence[Event], runs: Sequence[Run],
                    changes: Sequence[SetupChange], audits: Mapping[str, Audit]
                    ) -> list[EventRecord]:
    """Each event with its own runs, changes and audit (the orders given are kept)."""
    runs_of: dict[str, list[Run]] = defaultdict(list)
    changes_of: dict[str, list[SetupChange]] = defaultdict(list)
    for run in runs:
        runs_of[run.event_id].append(run)
    for change in changes:
        changes_of[change.event_id].append(change)
    return [EventRecord(e, runs_of[e.id], changes_of[e.id], audits.get(e.id)) for e in events]
