"""Failed-login counts on PostgreSQL (``login_attempts``), shared by every worker and
machine on the database (apex/login_throttle.py)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from datetime import datetime

from apex.login_throttle import FORGET, Failures, after_failure
from apex.stores.postgres_params import Conn

GET = """SELECT key, failures, last_failed_at FROM login_attempts
WHERE key = ANY(%(keys)s)"""
FORGET_OLD = "DELETE FROM login_attempts WHERE last_failed_at < %(cutoff)s"
ENSURE = """INSERT INTO login_attempts (key, failures, last_failed_at)
VALUES (%(key)s, 0, %(now)s) ON CONFLICT (key) DO NOTHING"""
LOCK = "SELECT failures, last_failed_at FROM login_attempts WHERE key = %(key)s FOR UPDATE"
SET = """UPDATE login_attempts SET failures = %(failures)s, last_failed_at = %(at)s
WHERE key = %(key)s"""
CLEAR = "DELETE FROM login_attempts WHERE key = ANY(%(keys)s)"


class LoginAttemptMethods:
    """The login-limit part of ``PostgresStore`` (a base class of it)."""

    _tx: Callable[[], AbstractContextManager[Conn]]  # PostgresStore's one transaction

    def login_failures(self, keys: Sequence[str]) -> dict[str, Failures]:
        with self._tx() as conn:
            rows = conn.execute(GET, {"keys": list(keys)}).fetchall()
        return {r["key"]: Failures(r["failures"], r["last_failed_at"]) for r in rows}

    def record_login_failure(self, keys: Sequence[str], now: datetime) -> None:
        """Lock each key's row (made if missing; in key order, so two workers never
        deadlock), ask the rule, write."""
        with self._tx() as conn:
            conn.execute(FORGET_OLD, {"cutoff": now - FORGET})
            for k in sorted(set(keys)):
                conn.execute(ENSURE, {"key": k, "now": now})
                row = conn.execute(LOCK, {"key": k}).fetchone()
                assert row is not None  # made just above, locked until commit
                old = Failures(row["failures"], row["last_failed_at"]) if row["failures"] \
                    else None
                new = after_failure(old, now)
                conn.execute(SET, {"key": k, "failures": new.count, "at": new.last_at})

    def clear_login_failures(self, keys: Sequence[str]) -> None:
        with self._tx() as conn:
            conn.execute(CLEAR, {"keys": list(keys)})


