"""Plan an import: incoming rows against what a store holds, matched on natural keys.

A row whose natural key (a racer's car by brand/model/nickname, a library
baseline by track/brand/vehicle/condition/date, ...) is already there is the
same row: it is left alone, or updated where a value differs, and rows that
point at it are pointed at the stored id. Only rows new by their natural key
are created, keeping their id and timestamps when they bring them (a round trip
reproduces the same rows). So running the same import twice changes nothing.

Pure functions over ``Rows``: each store reads its tables, plans and applies
the plan inside one transaction.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from apex.login_session import imported_generation
from apex.tables import EXPORTED, REFERENCES, TABLES, column_kind, from_text
from apex.transfer import ImportFailed, Report, Row, RowError, Rows, TableCount
from apex.versions import EDIT_VERSIONED, imported_version

# Parents before children, so a child's references are remapped before its key is read.
ORDER: tuple[str, ...] = EXPORTED


@dataclass(frozen=True)
class NaturalKey:
    """The columns that name a row, as a unique index of sql/ does; ``folded`` ones
    ignore case (``lower(name)``). Called on a row, it gives the row's key.
    ``indexed`` False: no unique index backs it, it is the import's own rule."""

    exact: tuple[str, ...] = ()
    folded: tuple[str, ...] = ()
    indexed: bool = True

    @property
    def columns(self) -> tuple[str, ...]:
        return (*self.exact, *self.folded)

    def __call__(self, row: Row) -> tuple:
        return (*(row.get(c) for c in self.exact),
                *(str(row.get(c) or "").lower() for c in self.folded))


_ID = NaturalKey(("id",))
# The same rules as the unique indexes of sql/ (and the CSV store's checks); a track
# log has no unique index: the same note at the same second is one note to an import.
NATURAL_KEYS: dict[str, NaturalKey] = {
    "users": NaturalKey(folded=("username",)),
    "racer_profiles": NaturalKey(("user_id",)),
    "sponsors": NaturalKey(("profile_id",), ("name",)),
    "vehicles": NaturalKey(("profile_id",), ("brand", "model", "nickname")),
    "car_configs": NaturalKey(("vehicle_id",)),
    "master_library": NaturalKey(("track", "brand", "vehicle", "condition", "date")),
    "events": _ID,
    "event_setups": NaturalKey(("event_id",)),
    "runs": _ID,
    # Unique among a run's live laps only (an exclusion constraint, sql/0010): a deleted
    # lap keeps its number for Undo. Exports and imports see live laps alone.
    "laps": NaturalKey(("run_id", "lap_number"), indexed=False),
    "setup_changes": _ID,
    "audits": _ID,
    "track_logs": NaturalKey(("profile_id", "timestamp", "note"), indexed=False),
    "theory_documents": _ID,
}
_STAMPS = ("created_at", "updated_at")
# Who added a shared row keeps the credit: an import that matches it does not take it over.
_KEPT_WHEN_SET: dict[str, tuple[str, ...]] = {"master_library": ("submitted_by",)}
# A racer's own export leaves the password hash empty (apex.transfer.racer): importing it
# back must not blank the stored one, and so lock the racer out.
_KEPT_WHEN_EMPTY: dict[str, tuple[str, ...]] = {"users": ("password_hash",)}


@dataclass
class Plan:
    """Rows to insert and rows to update (whole rows), per table, and the counts."""

    creates: Rows = field(default_factory=dict)
    updates: Rows = field(default_factory=dict)
    report: Report = field(default_factory=Report)


def plan(existing: Rows, incoming: Rows) -> Plan:
    """What importing ``incoming`` into a store holding ``existing`` creates and updates.

    Raises ImportFailed when a row points at a row that is in neither, or when a
    new user's email belongs to another user.
    """
    result = Plan()
    ids: dict[str, dict[Any, Any]] = {t: {} for t in ORDER}  # incoming id -> stored id
    known: dict[str, set] = {t: {r[_pk(t)] for r in existing.get(t, [])} for t in ORDER}
    errors: list[RowError] = []
    now = datetime.now(UTC)
    for table in ORDER:
        rows = incoming.get(table, [])
        count = result.report.counts.setdefault(table, TableCount())
        count.read = len(rows)
        stored = {NATURAL_KEYS[table](r): r for r in existing.get(table, [])}
        next_serial = max((i for i in known[table] if isinstance(i, int)), default=0) + 1
        for number, raw in enumerate(rows, start=1):
            row, missing = _remap(table, raw, ids, known)
            if missing:
                errors.append(RowError(table, number, missing))
                continue
            key = NATURAL_KEYS[table](row)
            match = stored.get(key)
            if match is not None:
                if table == "users" and (clash := _email_clash(row, existing, result,
                                                               match["id"])):
                    errors.append(RowError(table, number, clash))
                    continue
                ids[table][raw.get(_pk(table))] = match[_pk(table)]
                changed = _changed(table, match, row)
                if changed is None:
                    count.unchanged += 1
                else:
                    if "updated_at" in TABLES[table]:
                        changed["updated_at"] = now
                    result.updates.setdefault(table, []).append(changed)
                    stored[key] = changed
                    count.updated += 1
                continue
            if table == "users" and (clash := _email_clash(row, existing, result)):
                errors.append(RowError(table, number, clash))
                continue
            new, next_serial = _complete(table, row, known[table], next_serial, now)
            ids[table][raw.get(_pk(table))] = new[_pk(table)]
            known[table].add(new[_pk(table)])
            stored[key] = new
            result.creates.setdefault(table, []).append(new)
            count.created += 1
    if errors:
        raise ImportFailed(errors)
    return result


def _pk(table: str) -> str:
    return "key" if table == "request_keys" else "id"


def _remap(table: str, raw: Row, ids: dict, known: dict) -> tuple[Row, str]:
    """The row with its references pointed at stored ids; or why one points nowhere."""
    row = dict(raw)
    for col, parent in REFERENCES.get(table, {}).items():
        value = row.get(col)
        if value in (None, ""):
            continue
        if value in ids[parent]:
            row[col] = ids[parent][value]
        elif value not in known[parent]:
            return row, f"{col} {value} points at no {parent} row"
    return row, ""


def _changed(table: str, stored: Row, row: Row) -> Row | None:
    """The stored row with the incoming values over it, or None if nothing differs."""
    merged = dict(stored)
    kept = {c for c in _KEPT_WHEN_SET.get(table, ()) if stored.get(c) is not None}
    kept |= {c for c in _KEPT_WHEN_EMPTY.get(table, ()) if not row.get(c)}
    for col in TABLES[table]:
        if col in row and col not in _STAMPS and col != _pk(table) and col not in kept:
            merged[col] = row[col]
    if table == "users":
        merged["session_generation"] = imported_generation(
            stored.get("session_generation"), merged.get("session_generation"),
            password_changed=merged.get("password_hash") != stored.get("password_hash"))
    if table in EDIT_VERSIONED:
        merged["version"] = imported_version(stored, merged)
    return None if merged == stored else merged


def _email_clash(row: Row, existing: Rows, result: Plan, own_id: object = None) -> str:
    """Emails are unique: a new or changed user must not take another user's."""
    if "email" not in row:
        return ""
    email = str(row.get("email") or "").lower()
    others = [*existing.get("users", []), *result.creates.get("users", [])]
    if any(str(u.get("email") or "").lower() == email and u.get("id") != own_id
           for u in others):
        return f"email {row.get('email')} belongs to another user"
    return ""


def _complete(table: str, row: Row, taken: set, next_serial: int, now: datetime
              ) -> tuple[Row, int]:
    """A full new row: every column, a free id, timestamps kept when given."""
    new: Row = {}
    for col in TABLES[table]:
        # A missing cell reads as its column's default ("nitro" for a car's power, 1 for
        # a version: a file exported before sql/0008, 0 for a session generation).
        new[col] = row.get(col, from_text(table, col, ""))
    pk = _pk(table)
    if column_kind(table, pk) == "serial":
        if new[pk] is None or new[pk] in taken:
            new[pk] = next_serial
        next_serial = max(next_serial, new[pk]) + 1
    elif not new[pk] or new[pk] in taken:
        new[pk] = str(uuid.uuid4())
    for stamp in _STAMPS:
        if stamp in new and new[stamp] is None:
            new[stamp] = now
    return new, next_serial


def applied(existing: Rows, result: Plan) -> Rows:
    """Every table the plan touches, as it is after the plan: updates in place, creates last."""
    tables: Rows = {}
    for table in ORDER:
        updates = {r[_pk(table)]: r for r in result.updates.get(table, [])}
        creates = result.creates.get(table, [])
        if updates or creates:
            rows = [updates.get(r[_pk(table)], r) for r in existing.get(table, [])]
            tables[table] = rows + creates
    return tables
