"""CSV-file store: one UTF-8 file per table, so APEX runs without PostgreSQL.

Why it is built this way (the contract is the ``Store`` docstring in apex.store):
- The files, their locking, atomic rewrites and parse cache are
  apex.stores.csv_tables; each method here is one of its transactions.
- A method that writes two tables writes the dependent row first (profile
  before user, config before car) and deletes it last; reads ignore orphans,
  so a crash between the two writes leaves nothing half-made in sight.
"""

from __future__ import annotations

import csv
import os
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from apex import versions
from apex.catalogue import BY_KEY, NITRO, PARAM_KEYS, Value, coerce
from apex.login_session import next_generation
from apex.models import CAR_FIELDS, PROFILE_FIELDS, Car, Profile, Setup, Sponsor, User, car_label
from apex.schema_sync import SchemaReport, column_changes, empty_cells, retired_columns
from apex.store import DuplicateError
from apex.stores import csv_library
from apex.stores.csv_archive import ArchiveMethods
from apex.stores.csv_archive import car as _car
from apex.stores.csv_events import EventMethods
from apex.stores.csv_figures import FigureMethods
from apex.stores.csv_keys import KeyMethods
from apex.stores.csv_library import LibraryMethods
from apex.stores.csv_lock import locked
from apex.stores.csv_logins import LoginAttemptMethods
from apex.stores.csv_notes import NoteMethods
from apex.stores.csv_rows import Row
from apex.stores.csv_runs import RunMethods
from apex.stores.csv_tables import CsvTables
from apex.stores.csv_theory import TheoryMethods
from apex.tables import DERIVED, REFERENCES, TABLES, column_kind
from apex.transfer import Report, Rows
from apex.transfer.plan import ORDER, applied, plan

_CAR_TAKEN = "You already have this car; give it a different nickname."


def _stamped(**cols: Any) -> Row:
    """A new row: a fresh uuid id and both timestamps (cols may override)."""
    now = datetime.now(UTC)
    return {"id": str(uuid.uuid4()), "created_at": now, "updated_at": now, **cols}


def _texts(data: Mapping[str, Any], keys: tuple[str, ...]) -> dict[str, str]:
    """The known text fields present in ``data``; anything else (ids!) is ignored."""
    return {k: str(data[k] or "") for k in keys if k in data}


def _car_key(row: Mapping[str, Any]) -> tuple[str, str, str]:
    return (row["brand"].lower(), row["model"].lower(), row["nickname"].lower())


def _label(car: Mapping[str, Any]) -> str:
    """The old system's name of a car ("Tekno NB48 2.2", no nickname), kept in
    car_configs.car (PostgreSQL's SAVE_CONFIG and UPDATE_CAR_LABEL write the same)."""
    return car_label(car["brand"], car["model"])


def _version(row: Mapping[str, Any]) -> int:
    """A row written before its table had versions (or just inserted) is at 1."""
    return row.get("version") or 1


def _profile(row: Row) -> Profile:
    return Profile(id=row["id"], user_id=row["user_id"],
                   **{f: row[f] for f in PROFILE_FIELDS}, version=_version(row))


class CsvStore(KeyMethods, ArchiveMethods, LibraryMethods, EventMethods, NoteMethods, RunMethods,
               FigureMethods, TheoryMethods, LoginAttemptMethods):
    """The ``Store`` protocol over CSV files in ``data_dir`` (see the module docstring).

    The Setup Library and notebook methods come from apex.stores.csv_library,
    the race day's from apex.stores.csv_events and csv_runs.
    """

    kind = "csv"

    def __init__(self, data_dir: Path, *, compact_bytes: int | None = None) -> None:
        self.data_dir = Path(data_dir)
        self._tables = CsvTables(self.data_dir, compact_bytes=compact_bytes)

    # -- schema --------------------------------------------------------------

    def ping(self) -> bool:
        """The folder is there and this process may read and write it."""
        return self.data_dir.is_dir() and os.access(self.data_dir, os.R_OK | os.W_OK | os.X_OK)

    def close(self) -> None:
        """Nothing is held open between calls."""

    def upgrade(self) -> SchemaReport:
        """Create missing files; add the columns apex.tables (the catalogue) gained and
        drop the ones it retired, keeping every row; report columns beyond them, which
        stay (see csv_tables)."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        report = SchemaReport()
        with self._tables.transaction():
            self._tables.compact()  # the files are read and rewritten whole below
            for table in TABLES:
                header = self._tables.header(table)
                if header is None:
                    self._tables.write_cells(table, [])
                    report.created.append(f"{table}.csv")
                    continue
                missing, extra = column_changes(table, header)
                retired = retired_columns(table, header)
                report.kept += [(table, c) for c in extra]
                if missing or retired:
                    # Cells are copied as text: an upgrade must not depend on parsing.
                    with open(self._tables.path(table), newline="", encoding="utf-8") as f:
                        cells = [{**{k: v for k, v in raw.items() if k not in retired},
                                  **empty_cells(table, missing)}
                                 for raw in csv.DictReader(f, restval="")]
                    self._tables.write_cells(table, cells, extra)
                    report.added += [(table, c) for c in missing]
                    report.dropped += [(table, c) for c in retired]
            if any(f"{t}.csv" in report.created for t in DERIVED):
                self._refresh_all()  # a store from before them: its figures made now
        return report

    def compact(self) -> None:
        """Fold the journal into the table files: the folder is plain CSV tables again
        (an export, or a folder about to be read file by file)."""
        if self.data_dir.is_dir():
            self._tables.compact()

    def schema_status(self) -> list[tuple[str, bool]]:
        """Each table file and whether it exists, then each column a file lacks."""
        if not self.data_dir.is_dir():
            return [(f"{table}.csv", False) for table in TABLES]
        with self._tables.transaction():
            headers = {table: self._tables.header(table) for table in TABLES}
        files = [(f"{t}.csv", h is not None) for t, h in headers.items()]
        return files + [(f"column {t}.{c}", False) for t, h in headers.items()
                        if h is not None for c in column_changes(t, h)[0]]

    # -- users and their racer profile ---------------------------------------

    def _live_profile(self, racer_id: str) -> Row | None:
        """The profile, unless it is the orphan of a create_user that crashed."""
        profile = self._tables.first("racer_profiles", id=racer_id)
        if profile is None or self._tables.first("users", id=profile["user_id"]) is None:
            return None
        return profile

    def _user(self, row: Row | None) -> User | None:
        profile = None if row is None else self._tables.first("racer_profiles", user_id=row["id"])
        if row is None or profile is None:
            return None
        return User(row["id"], row["username"], row["email"], row["password_hash"],
                    row["is_admin"], profile["id"], row["session_generation"] or 0)

    @locked
    def create_user(
        self, username: str, email: str, password_hash: str, *, is_admin: bool = False
    ) -> User:
        """The user and its profile; the profile is written first (see the module doc)."""
        users = self._tables.read("users")
        if any(u["username"].lower() == username.lower() for u in users):
            raise DuplicateError("username", "That username is taken.")
        if any(u["email"].lower() == email.lower() for u in users):
            raise DuplicateError("email", "An account with that email exists.")
        user = _stamped(username=username, email=email, password_hash=password_hash,
                        is_admin=bool(is_admin), session_generation=0)
        profile = _stamped(**{f: "" for f in PROFILE_FIELDS})
        profile.update(user_id=user["id"], name=username, email=email)
        self._tables.insert("racer_profiles", profile)
        self._tables.insert("users", user)
        return User(user["id"], username, email, password_hash, bool(is_admin), profile["id"])

    @locked
    def get_user(self, user_id: str) -> User | None:
        return self._user(self._tables.first("users", id=user_id))

    @locked
    def find_user(self, login: str) -> User | None:
        """Username or email, case-insensitive; the username wins if both match."""
        login = login.strip().lower()
        users = self._tables.read("users")
        row = next((u for u in users if u["username"].lower() == login), None)
        return self._user(row or next((u for u in users if u["email"].lower() == login), None))

    @locked
    def get_profile(self, racer_id: str) -> Profile | None:
        row = self._live_profile(racer_id)
        return None if row is None else _profile(row)

    @locked
    def update_profile(self, racer_id: str, data: Mapping[str, str], *,
                       version: int | None = None) -> Profile | None:
        """Fields missing from ``data`` keep their value."""
        row = self._live_profile(racer_id)
        if row is None:
            return None
        given = _texts(data, PROFILE_FIELDS)
        new_version = versions.next_version(_profile(row), row, given, version)
        self._tables.replace("racer_profiles", {**row, **given, "version": new_version,
                                                "updated_at": datetime.now(UTC)})
        return self.get_profile(racer_id)

    # -- sponsors ------------------------------------------------------------

    @locked
    def list_sponsors(self, racer_id: str) -> list[Sponsor]:
        mine = [r for r in self._tables.read("sponsors") if r["profile_id"] == racer_id]
        mine.sort(key=lambda r: (r["name"].lower(), r["name"]))
        return [Sponsor(r["id"], r["profile_id"], r["name"], r["category"]) for r in mine]

    @locked
    def add_sponsor(
        self, racer_id: str, name: str, category: str, *, request_key: str | None = None
    ) -> Sponsor | None:
        """LookupError for an unknown racer, as PostgreSQL's foreign key refuses it."""
        profile = self._live_profile(racer_id)
        if profile is None:
            raise LookupError(f"no racer {racer_id!r}")
        if self._key_used(profile, request_key):
            return None
        if any(r["profile_id"] == racer_id and r["name"].lower() == name.lower()
               for r in self._tables.read("sponsors")):
            raise DuplicateError("name", "You already have this sponsor.")
        row = _stamped(profile_id=racer_id, name=name, category=category or "")
        self._tables.insert("sponsors", row)
        self._remember_key(profile, request_key)
        return Sponsor(row["id"], racer_id, name, row["category"])

    @locked
    def delete_sponsor(self, racer_id: str, sponsor_id: str) -> bool:
        return self._tables.remove("sponsors", id=sponsor_id, profile_id=racer_id)

    # -- cars and their Shop Master baseline ----------------------------------

    def _check_unique_car(self, car: Row) -> None:
        for r in self._tables.read("vehicles"):
            if (r["profile_id"] == car["profile_id"] and r["id"] != car["id"]
                    and _car_key(r) == _car_key(car)):
                raise DuplicateError("nickname", _CAR_TAKEN)

    @locked
    def list_cars(self, racer_id: str, *, archived: bool | None = False) -> list[Car]:
        mine = [r for r in self._tables.read("vehicles") if r["profile_id"] == racer_id
                and archived in (None, r.get("archived_at") is not None)]
        return [_car(r) for r in sorted(mine, key=lambda r: (*_car_key(r), r["id"]))]

    @locked
    def get_car(self, racer_id: str, car_id: str) -> Car | None:
        row = self._tables.first("vehicles", id=car_id, profile_id=racer_id)
        return None if row is None else _car(row)

    @locked
    def add_car(
        self, racer_id: str, data: Mapping[str, str], baseline: Mapping[str, Value],
        *, request_key: str | None = None,
    ) -> Car | None:
        """Config first, then the car: a crash in between leaves only an ignored orphan."""
        profile = self._live_profile(racer_id)
        if profile is None:
            raise LookupError(f"no racer {racer_id!r}")
        if self._key_used(profile, request_key):
            return None
        car = _stamped(profile_id=racer_id, **{f: "" for f in CAR_FIELDS})
        car.update(_texts(data, CAR_FIELDS))
        car["power"] = car["power"] or NITRO
        self._check_unique_car(car)
        config = _stamped(profile_id=racer_id, vehicle_id=car["id"], car=_label(car),
                          **{k: baseline.get(k) for k in PARAM_KEYS})
        self._tables.insert("car_configs", config)
        self._tables.insert("vehicles", car)
        self._remember_key(profile, request_key)
        return _car(car)

    @locked
    def update_car(self, racer_id: str, car_id: str, data: Mapping[str, str], *,
                   version: int | None = None) -> Car | None:
        """Fields missing from ``data`` keep their value; the config's label follows."""
        row = self._tables.first("vehicles", id=car_id, profile_id=racer_id)
        if row is None:
            return None
        new = {**row, **_texts(data, CAR_FIELDS), "updated_at": datetime.now(UTC)}
        new["power"] = new["power"] or row["power"]
        new["version"] = versions.next_version(
            _car(row), row, {f: new[f] for f in CAR_FIELDS}, version)
        self._check_unique_car(new)
        self._tables.replace("vehicles", new)
        config = self._tables.first("car_configs", vehicle_id=car_id)
        if config is not None and config["car"] != _label(new):
            self._tables.replace("car_configs", {**config, "car": _label(new)})
        return _car(new)

    @locked
    def get_car_config(self, racer_id: str, car_id: str) -> Setup | None:
        """A car without a config row (hand-edited files) reads as all unset."""
        if self._tables.first("vehicles", id=car_id, profile_id=racer_id) is None:
            return None
        config = self._tables.first("car_configs", vehicle_id=car_id) or {}
        return Setup(car_id, {k: config.get(k) for k in PARAM_KEYS}, config.get("updated_at"),
                     _version(config))

    def get_car_with_config(self, racer_id: str, car_id: str) -> tuple[Car, Setup] | None:
        car, setup = self.get_car(racer_id, car_id), self.get_car_config(racer_id, car_id)
        return None if car is None or setup is None else (car, setup)

    @locked
    def save_car_config(
        self, racer_id: str, car_id: str, values: Mapping[str, Value], *,
        version: int | None = None,
    ) -> Setup | None:
        """Every parameter is replaced: keys missing from ``values`` become unset."""
        car = self._tables.first("vehicles", id=car_id, profile_id=racer_id)
        if car is None:
            return None
        params = {k: coerce(BY_KEY[k], values.get(k)) for k in PARAM_KEYS}
        old = self._tables.first("car_configs", vehicle_id=car_id)
        if old is None:
            self._tables.insert("car_configs", _stamped(profile_id=racer_id, vehicle_id=car_id,
                                                        car=_label(car), **params, version=1))
        else:
            current = self.get_car_config(racer_id, car_id)
            assert current is not None  # its car is there, under the same lock
            new_version = versions.next_version(current, old, params, version)
            self._tables.replace("car_configs", {**old, **params, "version": new_version,
                                                 "updated_at": datetime.now(UTC)})
        return self.get_car_config(racer_id, car_id)

    @locked
    def change_car_config(
        self, racer_id: str, car_id: str, values: Mapping[str, Value], note: str,
        *, track: str = "",
    ) -> Setup | None:
        """Merge into the stored baseline and note it, under the one lock.

        NOTE: two files: a crash between them leaves the change without its note."""
        setup = self.get_car_config(racer_id, car_id)
        if setup is None:
            return None
        saved = self.save_car_config(racer_id, car_id, {**setup.values, **values})
        car = self.get_car(racer_id, car_id)
        assert car is not None  # get_car_config found it, under the same lock
        csv_library.add_track_log(self._tables, racer_id, "change", note,
                                  {"track": track, "car": car.label})
        return saved

    # -- whole tables: import, export, accounts --------------------------------

    @locked
    def dump_tables(self) -> Rows:
        """Every row but orphans (left by a crash between two files' writes; reads
        ignore them too), and optional links to rows that are gone blanked, so an
        export always imports cleanly."""
        rows: Rows = {}
        ids: dict[str, set] = {}
        for table in ORDER:
            refs = REFERENCES.get(table, {}).items()
            rows[table] = []
            for row in self._tables.read(table):
                if row.get("deleted_at") is not None:
                    continue  # a deleted note or lap waiting for its undo: no one's data
                kept = dict(row)
                for col, parent in refs:
                    if kept.get(col) not in (None, "") and kept[col] not in ids[parent]:
                        if column_kind(table, col) != "ref":
                            break  # a required parent is gone: the row is an orphan
                        kept[col] = None  # an optional link: kept as ON DELETE SET NULL
                else:
                    rows[table].append(kept)
            ids[table] = {r["id"] for r in rows[table]}
        return rows

    @locked
    def import_rows(self, incoming: Rows, *, dry_run: bool = False) -> Report:
        """Plan against the files under the lock; write every touched table, or none
        (one journal record), then fold the journal in: an import is a bulk write, and
        a folder filled this way (export-csv, a racer's zip) is plain table files."""
        existing = self.dump_tables()
        result = plan(existing, incoming)
        result.report.dry_run = dry_run
        if not dry_run:
            self._tables.write_all(applied(existing, result))
            self._refresh_imported({t: [*result.creates.get(t, []), *result.updates.get(t, [])]
                                    for t in ORDER})
            self._tables.compact()
        return result.report

    @locked
    def set_admin(self, user_id: str, is_admin: bool) -> bool:
        return self._update_user(user_id, is_admin=is_admin)

    @locked
    def set_password(self, user_id: str, password_hash: str) -> bool:
        """The new password, and every login made with the old one revoked."""
        row = self._tables.first("users", id=user_id)
        return row is not None and self._update_user(
            user_id, password_hash=password_hash,
            session_generation=next_generation(row["session_generation"]))

    @locked
    def revoke_sessions(self, user_id: str) -> int | None:
        row = self._tables.first("users", id=user_id)
        if row is None:
            return None
        generation = next_generation(row["session_generation"])
        self._update_user(user_id, session_generation=generation)
        return generation

    def _update_user(self, user_id: str, **values: Any) -> bool:
        row = self._tables.first("users", id=user_id)
        if row is None:
            return False
        self._tables.replace("users", {**row, **values, "updated_at": datetime.now(UTC)})
        return True

