"""Ids and one-time request keys on PostgreSQL, for every module of the PostgreSQL store."""

from __future__ import annotations

import uuid

from apex.store import REQUEST_KEY_DAYS
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
