"""One-time request keys on the CSV store (the rule: apex.request_keys.key_is_new).

A key is a row of ``request_keys`` written in the same transaction as the write it
guards, so in the same journal record (apex.stores.csv_journal): a crash keeps both
or neither, and a resend finds its key exactly when its write is there.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime

from apex.request_keys import key_is_new
from apex.stores.csv_lock import locked
from apex.stores.csv_rows import Row
from apex.stores.csv_tables import CsvTables


class KeyMethods:
    """Request keys: part of ``CsvStore`` (a base class of it), on its ``_tables``."""

    _tables: CsvTables
    _live_profile: Callable[[str], Row | None]

    def _key_used(self, profile: Row, request_key: str | None) -> bool:
        if not request_key:
            return False
        row = self._tables.first("request_keys", user_id=profile["user_id"], key=request_key)
        return not key_is_new(row["created_at"] if row else None, datetime.now(UTC))

    def _remember_key(self, profile: Row, request_key: str | None) -> None:
        """Record a used key. Same transaction as the create, so the same journal
        record: a crash keeps both or neither. Old keys go when the journal is
        compacted (csv_rows.fresh_request_keys), not on every write (a stale row of the
        same key is overwritten: rows are upserts by key)."""
        if request_key:
            self._tables.insert("request_keys", {
                "key": request_key, "user_id": profile["user_id"],
                "created_at": datetime.now(UTC)})

    def keyed_write(self) -> AbstractContextManager[None]:
        """One transaction around a keyed write: every store call inside it joins it (the
        lock is re-entrant), and its changes and key are one journal record."""
        return self._tables.transaction()

    @locked
    def key_used(self, racer_id: str, request_key: str) -> bool:
        profile = self._live_profile(racer_id)
        return profile is not None and self._key_used(profile, request_key)

    @locked
    def keep_key(self, racer_id: str, request_key: str) -> bool:
        profile = self._live_profile(racer_id)
        if profile is None or self._key_used(profile, request_key):
            return False
        self._remember_key(profile, request_key)
        return True
