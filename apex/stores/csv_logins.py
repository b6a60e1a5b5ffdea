"""Failed-login counts in the CSV store (``login_attempts.csv``), under the folder's lock,
so every worker process on this folder sees them (apex/login_throttle.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from apex.login_throttle import Check, Failures, admit, forgiven, live
from apex.stores.csv_lock import locked
from apex.stores.csv_rows import Row
from apex.stores.csv_tables import CsvTables

TABLE = "login_attempts"


def _failures(row: Row) -> Failures:
    return Failures(row["failures"] or 0, row["last_failed_at"])


class LoginAttemptMethods:
    """The login-limit part of ``CsvStore`` (a base class of it)."""

    _tables: CsvTables

    def _counts(self) -> dict[str, Failures]:
        return {r["key"]: _failures(r) for r in self._tables.read(TABLE)}

    def _write_counts(self, counts: dict[str, Failures]) -> None:
        self._tables.write(TABLE, [{"key": k, "failures": f.count, "last_failed_at": f.last_at}
                                   for k, f in counts.items()])

    @locked
    def login_failures(self, keys: Sequence[str]) -> dict[str, Failures]:
        counts = self._counts()
        return {k: counts[k] for k in keys if k in counts}

    @locked
    def begin_login_attempt(self, checks: Sequence[Check], now: datetime) -> int:
        # Forgotten counts are dropped on the way: the file stays as small as the attacks.
        counts = {k: f for k, f in self._counts().items() if live(f, now) is not None}
        wait, new = admit(counts, checks, now)
        if new:
            self._write_counts({**counts, **new})
        return wait

    @locked
    def login_succeeded(self, clear: Sequence[str], forgive: Sequence[str]) -> None:
        counts = self._counts()
        kept = {k: f for k, f in counts.items() if k not in clear}
        for k in forgive:
            if (less := forgiven(kept.pop(k, None))) is not None:
                kept[k] = less
        if kept != counts:
            self._write_counts(kept)
