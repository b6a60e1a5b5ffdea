"""Failed-login counts in the CSV store (``login_attempts.csv``), under the folder's lock,
so every worker process on this folder sees them (apex/login_throttle.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from apex.login_throttle import Failures, after_failure, live
from apex.stores.csv_tables import CsvTables, Row, locked

TABLE = "login_attempts"


def _failures(row: Row) -> Failures:
    return Failures(row["failures"] or 0, row["last_failed_at"])


class LoginAttemptMethods:
    _tables: CsvTables

    @locked
    def login_failures(self, keys: Sequence[str]) -> dict[str, Failures]:
        wanted = set(keys)
        return {r["key"]: _failures(r) for r in self._tables.read(TABLE) if r["key"] in wanted}

    @locked
    def record_login_failure(self, keys: Sequence[str], now: datetime) -> None:
        # Forgotten counts are dropped on the way: the file stays as small as the attacks.
        rows = {r["key"]: _failures(r) for r in self._tables.read(TABLE)
                if live(_failures(r), now) is not None}
        for k in keys:
            rows[k] = after_failure(rows.get(k), now)
        self._tables.write(TABLE, [{"key": k, "failures": f.count, "last_failed_at": f.last_at}
                                   for k, f in rows.items()])

    @locked
    def clear_login_failures(self, keys: Sequence[str]) -> None:
        gone = set(keys)
        rows = self._tables.read(TABLE)
        kept = [r for r in rows if r["key"] not in gone]
        if len(kept) < len(rows):
            self._tables.write(TABLE, kept)
