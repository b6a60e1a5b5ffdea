"""Every note a page at a time, and a note's undoable delete, on PostgreSQL.

``NoteMethods`` is a base class of ``PostgresStore``; each method is one transaction
of ``PostgresStore._tx``. A delete only marks the note (``deleted_at``); every read
skips marked notes, Undo clears the mark within apex.race_rules.UNDO_WINDOW, and
the racer's notes whose undo is over are purged by their next delete or undo.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

from psycopg import sql

from apex import race_rules as rules
from apex.models import TrackLog, car_label
from apex.stores.postgres_keys import ids
from apex.stores.postgres_params import Conn, one
from apex.stores.postgres_runs import _LOG_COLS, DB_NOW, EVENT_EXISTS, _log

OWN_CAR = """SELECT brand, model, nickname FROM vehicles
WHERE id = %(car_id)s AND profile_id = %(racer_id)s"""
PAGE = """SELECT {cols} FROM track_logs l
WHERE l.profile_id = %(racer_id)s AND l.deleted_at IS NULL AND {which}{before}
ORDER BY l."timestamp" DESC, l.id DESC LIMIT %(limit)s"""
OF_EVENT = "l.event_id = %(event_id)s"
# A car's notes: those written at its events, and its notebook entries (no event, the
# car's label: how the Garage notebook names a car).
OF_CAR = """(l.event_id IN (SELECT id FROM events WHERE vehicle_id = %(car_id)s)
OR (l.event_id IS NULL AND l.car = %(label)s))"""
BEFORE = """ AND (l."timestamp", l.id) < (%(before_ts)s, %(before_id)s::uuid)"""

DELETE_NOTE = """UPDATE track_logs SET deleted_at = now()
WHERE id = %(log_id)s AND profile_id = %(racer_id)s AND deleted_at IS NULL"""
LOCK_DELETED_NOTE = """SELECT deleted_at FROM track_logs
WHERE id = %(log_id)s AND profile_id = %(racer_id)s AND deleted_at IS NOT NULL FOR UPDATE"""
RESTORE_NOTE = f"""WITH l AS (UPDATE track_logs SET deleted_at = NULL
WHERE id = %(log_id)s RETURNING *) SELECT {_LOG_COLS} FROM l"""
PURGE_NOTES = """DELETE FROM track_logs
WHERE profile_id = %(racer_id)s AND deleted_at < %(before)s"""


def _purge(conn: Conn, racer_id: str, now: datetime) -> None:
    conn.execute(PURGE_NOTES, {"racer_id": racer_id, "before": rules.purge_before(now)})


class NoteMethods:
    """Note pages and undoable note deletes: part of ``PostgresStore``."""

    _tx: Callable[..., AbstractContextManager[Conn]]

    def page_track_logs(
        self, racer_id: str, *, event_id: str = "", car_id: str = "",
        before: tuple[datetime, str] | None = None, limit: int = 20,
    ) -> list[TrackLog] | None:
        key = ids(racer_id=racer_id, **({"car_id": car_id} if car_id else {"event_id": event_id}))
        after = ids(before_id=before[1]) if before else {}
        if key is None or after is None:
            return None
        args: dict[str, Any] = {**key, **after, "limit": max(int(limit), 0),
                                "before_ts": before[0] if before else None}
        with self._tx(read=True) as conn:
            if car_id:
                if (car := conn.execute(OWN_CAR, key).fetchone()) is None:
                    return None
                args["label"] = car_label(car["brand"], car["model"], car["nickname"])
            elif conn.execute(EVENT_EXISTS, key).fetchone() is None:
                return None
            query = sql.SQL(PAGE).format(cols=sql.SQL(_LOG_COLS),
                                         which=sql.SQL(OF_CAR if car_id else OF_EVENT),
                                         before=sql.SQL(BEFORE if before else ""))
            return [_log(r) for r in conn.execute(query, args).fetchall()]

    def delete_track_log(self, racer_id: str, log_id: str) -> bool:
        if (key := ids(racer_id=racer_id, log_id=log_id)) is None:
            return False
        with self._tx() as conn:
            _purge(conn, key["racer_id"], one(conn, DB_NOW)["now"])
            return conn.execute(DELETE_NOTE, key).rowcount > 0

    def restore_track_log(self, racer_id: str, log_id: str) -> TrackLog | None:
        if (key := ids(racer_id=racer_id, log_id=log_id)) is None:
            return None
        with self._tx() as conn:
            now = one(conn, DB_NOW)["now"]
            row = conn.execute(LOCK_DELETED_NOTE, key).fetchone()
            restored = (_log(one(conn, RESTORE_NOTE, key))
                        if rules.note_restorable(row, now) else None)
            _purge(conn, key["racer_id"], now)
            return restored
