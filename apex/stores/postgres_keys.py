"""Ids and one-time request keys on PostgreSQL, for every module of the PostgreSQL store."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime

from apex.request_keys import REQUEST_KEY_DAYS, key_is_new
from apex.stores.postgres_params import Conn

CLAIM_REQUEST_KEY = """INSERT INTO request_keys (key, user_id)
SELECT %(key)s, user_id FROM racer_profiles WHERE id = %(racer_id)s
ON CONFLICT DO NOTHING RETURNING key"""
FORGET_REQUEST_KEYS = """DELETE FROM request_keys
WHERE created_at < now() - make_interval(days => %(days)s)
AND user_id = (SELECT user_id FROM racer_profiles WHERE id = %(racer_id)s)"""


def ids(**given: object) -> dict[str, str] | None:
    """Ids as canonical UUID strings, or None if any is not one ("nope" from a URL)."""
    try:
        return {name: str(uuid.UUID(str(v))) for name, v in given.items()}
    except (ValueError, TypeError):
        return None


def owner(racer_id: str) -> str:
    """The racer id of a create method, which has no "None" to return."""
    if (key := ids(racer_id=racer_id)) is None:
        raise LookupError(f"no racer {racer_id!r}")
    return key["racer_id"]


def claim(conn: Conn, racer_id: str, request_key: str | None) -> bool:
    """Record a create form's one-time key; False if this racer used it already.

    NOTE: a concurrent retry of the same key waits on the row lock until the first
    transaction ends, then finds the key taken, so the create happens once.
    """
    if not request_key:
        return True
    params = {"racer_id": racer_id, "key": request_key, "days": REQUEST_KEY_DAYS}
    conn.execute(FORGET_REQUEST_KEYS, params)
    return conn.execute(CLAIM_REQUEST_KEY, params).fetchone() is not None


KEY_STORED = """SELECT k.created_at FROM request_keys k
JOIN racer_profiles p ON p.user_id = k.user_id
WHERE p.id = %(racer_id)s AND k.key = %(key)s"""


def key_used(conn: Conn, racer_id: str, request_key: str) -> bool:
    """Whether this racer's key is stored and still counts (apex.request_keys)."""
    if (key := ids(racer_id=racer_id)) is None:
        return False
    row = conn.execute(KEY_STORED, {**key, "key": request_key}).fetchone()
    return not key_is_new(row["created_at"] if row else None, datetime.now(UTC))


class KeyMethods:
    """Request keys for a keyed write: part of ``PostgresStore`` (a base class of it)."""

    _tx: Callable[..., AbstractContextManager[Conn]]

    @contextmanager
    def keyed_write(self) -> Iterator[None]:
        """A savepoint of the request's transaction around a keyed write: the store calls
        inside it and the key commit with the request, or are undone together."""
        with self._tx():
            yield

    def key_used(self, racer_id: str, request_key: str) -> bool:
        with self._tx(read=True) as conn:
            return key_used(conn, racer_id, request_key)

    def keep_key(self, racer_id: str, request_key: str) -> bool:
        """Claim the key; False if it was taken meanwhile (a concurrent resend waits on
        the key's row lock until the first commits, then finds it here)."""
        if ids(racer_id=racer_id) is None:
            return False
        with self._tx() as conn:
            return claim(conn, racer_id, request_key)
