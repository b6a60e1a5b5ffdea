"""Failed-login counts on PostgreSQL (``login_attempts``), shared by every worker and
machine on the database (apex/login_throttle.py)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from datetime import datetime

from apex.login_throttle import FORGET, Check, Failures, admit, forgiven
from apex.stores.postgres_params import Conn

GET = """SELECT key, failures, last_failed_at FROM login_attempts
WHERE key = ANY(%(keys)s) AND failures > 0"""
# SKIP LOCKED: two workers pruning at once never wait on (or deadlock over) each other.
FORGET_OLD = """DELETE FROM login_attempts WHERE key IN (SELECT key FROM login_attempts
WHERE last_failed_at < %(cutoff)s FOR UPDATE SKIP LOCKED)"""
# A row per key (0 failures when new) so there is a row to lock; in key order, so two
# workers never deadlock.
ENSURE = """INSERT INTO login_attempts (key, failures, last_failed_at)
SELECT k, 0, %(now)s FROM unnest(%(keys)s::text[]) AS k ORDER BY k
ON CONFLICT (key) DO NOTHING"""
LOCK = """SELECT key, failures, last_failed_at FROM login_attempts
WHERE key = ANY(%(keys)s) ORDER BY key FOR UPDATE"""
SET = """UPDATE login_attempts SET failures = %(failures)s, last_failed_at = %(at)s
WHERE key = %(key)s"""
CLEAR = "DELETE FROM login_attempts WHERE key = ANY(%(keys)s)"


def _found(rows: list) -> dict[str, Failures]:
    return {r["key"]: Failures(r["failures"], r["last_failed_at"])
            for r in rows if r["failures"] > 0}


class LoginAttemptMethods:
    """The login-limit part of ``PostgresStore`` (a base class of it)."""

    _tx: Callable[..., AbstractContextManager[Conn]]  # PostgresStore's one transaction

    def login_failures(self, keys: Sequence[str]) -> dict[str, Failures]:
        with self._tx(read=True) as conn:
            return _found(conn.execute(GET, {"keys": list(keys)}).fetchall())

    def begin_login_attempt(self, checks: Sequence[Check], now: datetime) -> int:
        """Lock the keys' rows, ask the rule, write what it says, in one transaction."""
        keys = sorted({k for k, _ in checks})
        # Its own transaction, committed at once: an attempt counts whatever the request
        # does next (and the rows' lock is not held over the password check).
        with self._tx(own=True) as conn:
            conn.execute(FORGET_OLD, {"cutoff": now - FORGET})
            conn.execute(ENSURE, {"keys": keys, "now": now})
            found = _found(conn.execute(LOCK, {"keys": keys}).fetchall())
            wait, new = admit(found, checks, now)
            for k, f in new.items():
                conn.execute(SET, {"key": k, "failures": f.count, "at": f.last_at})
        return wait

    def login_succeeded(self, clear: Sequence[str], forgive: Sequence[str]) -> None:
        with self._tx(own=True) as conn:
            conn.execute(CLEAR, {"keys": list(clear)})
            found = _found(conn.execute(LOCK, {"keys": sorted(forgive)}).fetchall())
            for k in forgive:
                less = forgiven(found.get(k))
                if less is None:
                    conn.execute(CLEAR, {"keys": [k]})
                else:
                    conn.execute(SET, {"key": k, "failures": less.count, "at": less.last_at})
