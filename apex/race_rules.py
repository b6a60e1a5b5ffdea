"""What a race-day write does, decided once for both stores.

A store locks, reads, asks one of these rules and writes what it answers: plain
data in, plain data out, no I/O and no clock (a store stamps its own times; a
column set to ``NOW`` takes the time of the write).

- A change's *run before* is the event's latest run when the change is made; its
  *run after* is the first run, made on a setup version that already had the
  change, that gets laps (a run without laps tests nothing).
- An accepted change can be undone while the setup still holds its new value (else
  a later change would go too); a pending proposal can be accepted while the setup
  still holds the value it was proposed from, and denied while it is pending.
- A front/rear pair (two proposals sharing a ``pair_id``) is accepted, denied and
  undone as one: one setup version, both rows.
- Accepting while an accepted change has no run after it (``untested``) needs the
  racer's "change both now" (``bundle``): else ``UntestedChangeError``. Accepting one
  proposal of an ask supersedes the others still pending (visible, no longer waiting).
- Closing an event records its audit (one per close); it judges no change: the
  verdicts are the laps' (apex.verdicts), the audit is the racer's opinion beside them.
- Removing a row takes what hangs off it (``ON_DELETE``, the foreign keys of
  ``sql/``): CASCADE rows go too, SET NULL links are blanked.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Final

from apex.catalogue import BY_KEY, Value, coerce
from apex.event_setup import as_text, edit_changes
from apex.models import EventSetup, SetupChange
from apex.store import StaleSetupError, UntestedChangeError
from apex.tables import CASCADE, REFERENCES, SET_NULL, on_delete
from apex.versions import saved_version

Row = Mapping[str, Any]


class _Now:
    def __repr__(self) -> str:
        return "NOW"


NOW: Final = _Now()  # a column value meaning "the time of the write"


# -- which runs a change sits between ----------------------------------------------


def latest_run(runs: Iterable[Row]) -> str | None:
    """The id of the event's latest run (``runs``: its rows with id, started_at and
    created_at), the *run before* of a change made now; None before the first run."""
    last = max(runs, key=lambda r: (r["started_at"], r["created_at"], r["id"]), default=None)
    return None if last is None else str(last["id"])


def tested_changes(changes: Iterable[Row], setup_version: int, new_laps: int) -> list[str]:
    """The ids of the changes whose *run after* becomes a run that got ``new_laps`` laps
    (``changes``: the event's rows with id, status, version and run_after): accepted,
    already in the run's ``setup_version`` and still waiting for a run."""
    if new_laps <= 0:
        return []
    return [str(c["id"]) for c in changes
            if c["status"] == "accepted" and c["run_after"] is None
            and c["version"] is not None and c["version"] <= setup_version]


def untested(changes: Sequence[SetupChange], values: Mapping[str, Value],
             tested_versions: Collection[int]) -> list[SetupChange]:
    """The accepted changes still waiting for a run with laps (TUNING §3.3), oldest first;
    none when the setup (``values``) is back where a run with laps was made
    (``tested_versions``: the setup versions of the runs that have laps) or where it was
    before the first of them: a restore to last known good, or an undo, tests nothing new."""
    waiting = [c for c in changes
               if c.status == "accepted" and c.run_after is None and c.version is not None]
    if not waiting:
        return []
    made = sorted((c for c in changes if c.version is not None
                   and c.status in ("accepted", "reverted")), key=lambda c: c.version or 0)
    keys = {c.parameter for c in made if c.parameter in BY_KEY}
    now = {k: as_text(k, values.get(k)) for k in keys}
    # The setup before the first change (an undone one too) that no run has tested.
    before = min(c.version or 0 for c in made if c.run_after is None) - 1
    for version in {before, *tested_versions}:
        then = dict(now)
        for c in reversed(made):
            if (c.version or 0) > version and c.parameter in keys:
                then[c.parameter] = c.old_value
        if then == now:
            return []
    return waiting


def tested_versions(runs: Iterable[Row], laps: Iterable[Row]) -> set[int]:
    """The setup versions of the runs (id, setup_version) that have a live lap (run_id)."""
    with_laps = {str(r["run_id"]) for r in laps if r.get("deleted_at") is None}
    return {int(r["setup_version"]) for r in runs if str(r["id"]) in with_laps}


def pair_of(change: SetupChange, changes: Iterable[SetupChange]) -> list[SetupChange]:
    """``change`` and the other end of its front/rear pair in the same state, if any."""
    return [change, *(c for c in changes if change.pair_id and c.pair_id == change.pair_id
                      and c.id != change.id and c.status == change.status)]


# -- what an edit, an undo, an accept and a denial write ---------------------------------


@dataclass(frozen=True)
class NewChange:
    """A change row to add (its id and created_at, ``NOW``, are the store's)."""

    parameter: str
    old_value: str
    new_value: str
    source: str
    reason: str
    version: int
    run_before: str | None
    status: str = "accepted"


@dataclass(frozen=True)
class SetupWrite:
    """What a write does to an event setup and its changes: the setup's values and
    version after it (``saves``: whether the setup row changes), the change rows it
    adds, and the stored changes it updates (change id -> column -> value)."""

    values: dict[str, Value]
    version: int
    saves: bool
    new: list[NewChange] = field(default_factory=list)
    updates: dict[str, dict[str, Any]] = field(default_factory=dict)
    # §3.8: the setup's new temperature reference (°C), None to leave it.
    temperature_ref: int | None = None


def edit(current: EventSetup, given: Mapping[str, Value], *, source: str, reason: str = "",
         runs: Iterable[Row] = (), expected_version: int | None = None) -> SetupWrite:
    """An edit of the setup: each parameter ``given`` a new value is saved and recorded
    as an accepted change of the next version. StaleSetupError when the edit was made
    on another version than ``current``'s that changes something (apex.versions)."""
    changes = edit_changes(current.values, given)
    version = saved_version(current.version, expected_version, bool(changes))
    if version is None:
        raise StaleSetupError(current)
    if not changes:
        return SetupWrite(dict(current.values), current.version, saves=False)
    before = latest_run(runs)
    return SetupWrite(
        {**current.values, **{c.key: c.after for c in changes}}, version, saves=True,
        new=[NewChange(c.key, as_text(c.key, c.before), as_text(c.key, c.after), source,
                       reason, version, before) for c in changes])


def _holds(change: SetupChange, current: EventSetup, value: str) -> bool:
    return (change.parameter in BY_KEY
            and as_text(change.parameter, current.values.get(change.parameter)) == value)


def undo(change: SetupChange, current: EventSetup, runs: Iterable[Row] = (),
         changes: Iterable[SetupChange] = ()) -> SetupWrite | None:
    """Undoing an accepted change (with the other end of its pair): the old values saved
    as new changes (same source), the change(s) marked reverted. None unless the setup
    still holds the new value(s)."""
    group = pair_of(change, changes)
    if change.status != "accepted" or not all(_holds(c, current, c.new_value) for c in group):
        return None
    olds = {c.parameter: coerce(BY_KEY[c.parameter], c.old_value) for c in group}
    back = ", ".join(f"{c.old_value or 'unset'}" for c in group)
    done = edit(current, olds, source=change.source, runs=runs, reason=f"Undo: back to {back}")
    return SetupWrite(done.values, done.version, done.saves, done.new,
                      {c.id: {"status": "reverted"} for c in group})


def accept(proposal: SetupChange, current: EventSetup, runs: Iterable[Row] = (),
           changes: Sequence[SetupChange] = (), tested: Collection[int] = (), *,
           bundle: bool = False) -> SetupWrite | None:
    """Accepting a proposal (pending, or superseded by another of its ask): its value
    saved (both ends of a pair, one version), and the proposal becomes the change itself,
    made now, from the value the setup had. None unless the setup still holds the value(s)
    it was proposed from. UntestedChangeError when an accepted change waits for a run
    (``untested``) and the racer did not say "change both now" (``bundle``). The ask's
    other pending proposals become superseded; an accepted temperature proposal moves the
    setup's temperature reference."""
    group = pair_of(proposal, changes)
    if proposal.status not in ("pending", "superseded") or not all(
            _holds(c, current, c.old_value) for c in group):
        return None
    waiting = untested(changes, current.values, tested)
    if waiting and not bundle:
        raise UntestedChangeError(waiting)
    version = current.version + 1
    before = latest_run(runs)
    taken = {c.id for c in group}
    updates: dict[str, dict[str, Any]] = {
        c.id: {"status": "accepted", "version": version, "created_at": NOW,
               "old_value": as_text(c.parameter, current.values.get(c.parameter)),
               "run_before": before} for c in group}
    updates.update({c.id: {"status": "superseded"} for c in changes
                    if proposal.ask_id and c.ask_id == proposal.ask_id
                    and c.status == "pending" and c.id not in taken})
    values = {**current.values,
              **{c.parameter: coerce(BY_KEY[c.parameter], c.new_value) for c in group}}
    return SetupWrite(values, version, saves=True, updates=updates,
                      temperature_ref=proposal.temperature_ref)


def deny(proposal: SetupChange, changes: Iterable[SetupChange] = ()
         ) -> dict[str, dict[str, Any]] | None:
    """What a denial sets (change id -> columns: the pair's both ends); None unless the
    proposal is pending or superseded."""
    if proposal.status not in ("pending", "superseded"):
        return None
    return {c.id: {"status": "denied"} for c in pair_of(proposal, changes)}


# -- closing an event ----------------------------------------------------------------


@dataclass(frozen=True)
class Closing:
    """An event's close: its end date."""

    end_date: date


def audit_fields(audit: Mapping[str, Any]) -> dict[str, Any]:
    """An audit as it is stored: rating, symptom, gain, observation and best lap."""
    best = audit.get("best_lap")
    return {"rating": int(audit["rating"]), "best_lap": None if best is None else Decimal(best),
            **{f: str(audit.get(f) or "") for f in ("symptom", "gain", "observation")}}


def close(status: str, start_date: date, end_date: date) -> Closing | None:
    """Closing an active event (None if it is not): it ends no earlier than it started."""
    if status != "active":
        return None
    return Closing(max(end_date, start_date))


def reopen(status: str) -> bool:
    """Whether an event in ``status`` can be reopened (a closed one)."""
    return status == "closed"


# -- what removing a row takes with it -----------------------------------------------------

# (table, column) -> (the table it points at, what removing that row does to this one):
# every foreign key of sql/, as apex.tables describes it (tests/test_race_rules_schema.py
# checks the actions against the real schema).
ON_DELETE: dict[tuple[str, str], tuple[str, str]] = {
    (child, column): (parent, on_delete(child, column))
    for child, links in REFERENCES.items() for column, parent in links.items()
}


def reaches(table: str) -> tuple[str, ...]:
    """``table`` and every table removing its rows can touch, each after its parents."""
    found = {table}
    while more := {child for (child, _), (target, _a) in ON_DELETE.items()
                   if target in found and child not in found}:
        found |= more
    order = [table]
    while len(order) < len(found):
        order += sorted(t for t in found - set(order) if all(
            target in order or target not in found
            for (child, _), (target, _a) in ON_DELETE.items() if child == t))
    return tuple(dict.fromkeys(order))


def removal(tables: Mapping[str, Sequence[Row]], table: str, ids: Collection[str]
            ) -> dict[str, list[dict[str, Any]]]:
    """The tables touched by removing the rows ``ids`` of ``table``, as they are after:
    rows hanging off a removed row (CASCADE) gone, links to one (SET NULL) blanked.
    ``tables`` holds the rows of every table in ``reaches(table)``; untouched ones
    are left out of the answer."""
    gone: dict[str, set[Any]] = {}
    after: dict[str, list[dict[str, Any]]] = {}
    for name in reaches(table):  # parents first: a row's parents are settled before it
        links = [(col, target, action) for (child, col), (target, action) in ON_DELETE.items()
                 if child == name and gone.get(target)]
        rows: list[dict[str, Any]] = []
        gone[name], touched = set(), False
        for row in tables[name]:
            if (row.get("id") in ids if name == table else any(
                    row[col] in gone[target] for col, target, action in links
                    if action == CASCADE)):
                gone[name].add(row.get("id"))
                touched = True
                continue
            cut = {col: None for col, target, action in links
                   if action == SET_NULL and row[col] is not None and row[col] in gone[target]}
            touched = touched or bool(cut)
            rows.append({**row, **cut})
        if touched:
            after[name] = rows
    return after


# -- undoable deletes: a note or a lap -----------------------------------------------------

# NOTE: a deleted note or lap is only marked (``deleted_at``): every read skips it, and
# Undo puts it back as it was for UNDO_WINDOW. After that it is purged for good by the
# racer's next delete or undo of that kind of row (the store purges in the same
# transaction), or by an import; until then nothing shows it, exports included. A
# later write is the moment: no clock, no job to run, and an unpurged row costs nothing.
UNDO_WINDOW: Final = timedelta(minutes=10)


def undoable(deleted_at: datetime | None, now: datetime) -> bool:
    """Whether a row deleted at ``deleted_at`` can still be restored at ``now``."""
    return deleted_at is not None and now - deleted_at <= UNDO_WINDOW


def purge_before(now: datetime) -> datetime:
    """Rows deleted before this time are purged (their undo is over)."""
    return now - UNDO_WINDOW


def lap_deletion(laps: Iterable[Row], lap_number: int) -> dict[str, dict[str, Any]] | None:
    """What deleting lap ``lap_number`` writes (lap id -> column -> value), ``laps``
    being the run's live laps (id, lap_number): the lap marked deleted, keeping the
    number it had (Undo puts it back there), the laps after it one number up. None
    when the run has no such lap."""
    live = list(laps)
    gone = next((r for r in live if r["lap_number"] == lap_number), None)
    if gone is None:
        return None
    return {str(gone["id"]): {"deleted_at": NOW},
            **{str(r["id"]): {"lap_number": r["lap_number"] - 1}
               for r in live if r["lap_number"] > lap_number}}


def lap_restoring(laps: Iterable[Row], deleted: Iterable[Row], lap_number: int, now: datetime
                  ) -> dict[str, dict[str, Any]] | None:
    """What undoing the delete of lap ``lap_number`` writes: the lap most recently
    deleted from that place (``deleted``: the run's deleted laps with id, lap_number
    and deleted_at) back there, the live laps (``laps``) from there on one number
    later: the reverse of ``lap_deletion``. Laps added since stay after it; a place
    past the end (laps deleted since) is the end. None when there is nothing to undo."""
    last = max((r for r in deleted if r["lap_number"] == lap_number
                and undoable(r["deleted_at"], now)),
               key=lambda r: (r["deleted_at"], str(r["id"])), default=None)
    if last is None:
        return None
    live = list(laps)
    place = min(lap_number, len(live) + 1)
    return {str(last["id"]): {"deleted_at": None, "lap_number": place},
            **{str(r["id"]): {"lap_number": r["lap_number"] + 1}
               for r in live if r["lap_number"] >= place}}


def note_restorable(row: Row | None, now: datetime) -> bool:
    """Whether a note row (its deleted_at) can be undeleted at ``now``."""
    return row is not None and undoable(row["deleted_at"], now)
