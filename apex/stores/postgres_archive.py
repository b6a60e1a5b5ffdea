"""Archiving, restoring and deleting cars, a racer's export and account deletion, on
PostgreSQL. ``ArchiveMethods`` is a base class of ``PostgresStore``; each method is
one transaction of ``PostgresStore._tx``: it locks, reads, asks apex.car_rules (or
apex.transfer.racer) and writes, as the CSV store does with the same rules.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

from apex import car_rules
from apex.models import Car
from apex.stores.postgres_keys import ids
from apex.stores.postgres_params import Conn
from apex.stores.postgres_tables import read
from apex.tables import EXPORTED
from apex.transfer import Rows
from apex.transfer.racer import own_rows

CAR_COLS = """id::text, profile_id::text AS racer_id, brand, model, nickname, transponder,
class_name, power, version, archived_at"""
LOCK_CAR = f"""SELECT {CAR_COLS} FROM vehicles
WHERE id = %(car_id)s AND profile_id = %(racer_id)s FOR UPDATE"""
CAR_EVENT_STATUSES = "SELECT status FROM events WHERE vehicle_id = %(car_id)s"
SET_ARCHIVED = f"""UPDATE vehicles SET archived_at = {{when}}, updated_at = now()
WHERE id = %(car_id)s AND profile_id = %(racer_id)s RETURNING {CAR_COLS}"""
ARCHIVE = SET_ARCHIVED.format(when="coalesce(archived_at, now())")
RESTORE = SET_ARCHIVED.format(when="NULL")
COUNTS = """SELECT
(SELECT count(*) FROM events e WHERE e.vehicle_id = %(car_id)s) AS events,
(SELECT count(*) FROM runs r JOIN events e ON e.id = r.event_id
 WHERE e.vehicle_id = %(car_id)s) AS runs,
(SELECT count(*) FROM laps l JOIN runs r ON r.id = l.run_id JOIN events e ON e.id = r.event_id
 WHERE e.vehicle_id = %(car_id)s) AS laps,
(SELECT count(*) FROM setup_changes c JOIN events e ON e.id = c.event_id
 WHERE e.vehicle_id = %(car_id)s) AS changes,
(SELECT count(*) FROM audits a JOIN events e ON e.id = a.event_id
 WHERE e.vehicle_id = %(car_id)s) AS audits"""
CAR_EVENT_IDS = "SELECT id::text FROM events WHERE vehicle_id = %(car_id)s"
RACER_CARS = "SELECT id::text, brand, model, nickname FROM vehicles WHERE profile_id = %(racer_id)s"
RACER_NOTES = """SELECT id::text, car, event_id::text FROM track_logs
WHERE profile_id = %(racer_id)s"""
DELETE_NOTES = "DELETE FROM track_logs WHERE id = ANY(%(ids)s::uuid[])"
# Events, their setups, changes, runs, laps and audits, and the Shop Master go with the
# car (ON DELETE CASCADE in sql/); its notes were deleted just before.
DELETE_CAR = "DELETE FROM vehicles WHERE id = %(car_id)s AND profile_id = %(racer_id)s"

# What of each table can be the racer's (apex.transfer.racer.own_rows decides row by row):
# narrows the reads so an export does not read every racer's rows.
_EVENTS = "event_id IN (SELECT id FROM events WHERE profile_id = %(racer_id)s)"
SCOPE: dict[str, str] = {
    "users": "id = (SELECT user_id FROM racer_profiles WHERE id = %(racer_id)s)",
    "racer_profiles": "id = %(racer_id)s", "sponsors": "profile_id = %(racer_id)s",
    "vehicles": "profile_id = %(racer_id)s", "car_configs": "profile_id = %(racer_id)s",
    "master_library": "submitted_by = %(racer_id)s", "events": "profile_id = %(racer_id)s",
    "event_setups": _EVENTS, "runs": _EVENTS, "setup_changes": _EVENTS, "audits": _EVENTS,
    "laps": """run_id IN (SELECT r.id FROM runs r JOIN events e ON e.id = r.event_id
WHERE e.profile_id = %(racer_id)s)""",
    "track_logs": "profile_id = %(racer_id)s",
    "theory_documents": """uploaded_by = (SELECT user_id FROM racer_profiles
WHERE id = %(racer_id)s)""",
}

GET_ACCOUNT = """SELECT u.username, p.id::text AS racer_id, p.name FROM users u
JOIN racer_profiles p ON p.user_id = u.id WHERE u.id = %(user_id)s FOR UPDATE OF u"""
SHARED = """SELECT id, driver_name FROM master_library WHERE submitted_by = %(racer_id)s
FOR UPDATE"""
SET_DRIVER = "UPDATE master_library SET driver_name = %(driver_name)s WHERE id = %(id)s"
# Every row of the racer goes with the user (ON DELETE CASCADE); library baselines and
# theory documents stay, uncredited (ON DELETE SET NULL).
DELETE_USER = "DELETE FROM users WHERE id = %(user_id)s"


class ArchiveMethods:
    """The archive and account part of ``PostgresStore`` (a base class of it)."""

    _tx: Callable[..., AbstractContextManager[Conn]]

    def archive_car(self, racer_id: str, car_id: str) -> Car | None:
        if (key := ids(racer_id=racer_id, car_id=car_id)) is None:
            return None
        with self._tx() as conn:
            if (row := conn.execute(LOCK_CAR, key).fetchone()) is None:
                return None
            statuses = [r["status"] for r in conn.execute(CAR_EVENT_STATUSES, key)]
            if row["archived_at"] is None and (why := car_rules.archive_refusal(statuses)):
                raise car_rules.CarRefused(why)
            return Car(**conn.execute(ARCHIVE, key).fetchone() or row)

    def restore_car(self, racer_id: str, car_id: str) -> Car | None:
        if (key := ids(racer_id=racer_id, car_id=car_id)) is None:
            return None
        with self._tx() as conn:
            row = conn.execute(RESTORE, key).fetchone()
        return None if row is None else Car(**row)

    def _car_notes(self, conn: Conn, key: dict[str, str], car: dict) -> list[str]:
        events = {r["id"] for r in conn.execute(CAR_EVENT_IDS, key)}
        return car_rules.car_notes(car, conn.execute(RACER_CARS, key).fetchall(),
                                   conn.execute(RACER_NOTES, key).fetchall(), events)

    def car_removal(self, racer_id: str, car_id: str) -> car_rules.CarRemoval | None:
        if (key := ids(racer_id=racer_id, car_id=car_id)) is None:
            return None
        with self._tx() as conn:
            if (car := conn.execute(LOCK_CAR, key).fetchone()) is None:
                return None
            counts = conn.execute(COUNTS, key).fetchone() or {}
            notes = self._car_notes(conn, key, car)
        return car_rules.CarRemoval(**counts, notes=len(notes))

    def delete_car(self, racer_id: str, car_id: str) -> bool:
        """Only an archived car, with everything of it (apex.car_rules)."""
        if (key := ids(racer_id=racer_id, car_id=car_id)) is None:
            return False
        with self._tx() as conn:
            car = conn.execute(LOCK_CAR, key).fetchone()
            if car is None or car["archived_at"] is None:
                return False
            conn.execute(DELETE_NOTES, {"ids": self._car_notes(conn, key, car)})
            return conn.execute(DELETE_CAR, key).rowcount > 0

    def export_racer(self, racer_id: str) -> Rows:
        if (key := ids(racer_id=racer_id)) is None:
            return {t: [] for t in EXPORTED}
        with self._tx(read=True) as conn:
            rows = {t: read(conn, t, SCOPE[t], key) for t in EXPORTED}
        return own_rows(rows, key["racer_id"])

    def delete_account(self, user_id: str) -> bool:
        if (key := ids(user_id=user_id)) is None:
            return False
        with self._tx() as conn:
            if (account := conn.execute(GET_ACCOUNT, key).fetchone()) is None:
                return False
            names = (account["username"], account["name"])
            for row in conn.execute(SHARED, account).fetchall():
                kept = car_rules.anonymised(row, names)
                if kept["driver_name"] != row["driver_name"]:
                    conn.execute(SET_DRIVER, kept)
            return conn.execute(DELETE_USER, key).rowcount > 0
