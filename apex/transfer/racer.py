"""One racer's rows, out of every table: what their own data export holds.

A pure rule both stores call (PostgreSQL narrows its reads first, the CSV store
reads the files; both hand the rows through ``own_rows``):
- the racer's user and profile, and every row that hangs off the profile
  (sponsors, cars, Shop Master, events and all they hold, notes), the library
  baselines they shared and the theory documents they uploaded;
- never another racer's row, never a password hash (the export is a file the racer
  may forward; it leaves an empty cell), never request keys (not exported at all).
"""

from __future__ import annotations

from apex.tables import EXPORTED, REFERENCES
from apex.transfer import Rows

# table -> the column that makes a row the racer's: it points at a row of theirs
# (its parent in apex.tables.REFERENCES). users: the racer's own row, by id.
OWNED_BY: dict[str, str] = {
    "racer_profiles": "user_id", "sponsors": "profile_id", "vehicles": "profile_id",
    "car_configs": "profile_id", "master_library": "submitted_by", "events": "profile_id",
    "event_setups": "event_id", "runs": "event_id", "laps": "run_id",
    "setup_changes": "event_id", "audits": "event_id", "track_logs": "profile_id",
    "theory_documents": "uploaded_by",
}
SECRET: dict[str, str] = {"users": "password_hash"}


def own_rows(rows: Rows, racer_id: str) -> Rows:
    """The rows of ``rows`` (every exported table) that are the racer's, secrets blanked."""
    profile = next((p for p in rows.get("racer_profiles", []) if p["id"] == racer_id), None)
    mine: dict[str, set] = {"users": set() if profile is None else {profile["user_id"]}}
    out: Rows = {}
    for table in EXPORTED:  # parents first: a row's parent is settled before it
        if table == "users":
            kept = [r for r in rows.get(table, []) if r["id"] in mine["users"]]
        else:
            column = OWNED_BY[table]
            parent = REFERENCES[table][column]
            kept = [r for r in rows.get(table, []) if r.get(column) in mine[parent]]
        out[table] = [{**r, SECRET[table]: ""} if table in SECRET else dict(r) for r in kept]
        mine[table] = {r.get("id") for r in kept}
    return out
