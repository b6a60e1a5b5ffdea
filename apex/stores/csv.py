"""CSV-file store: one UTF-8 file per table, so APEX runs without PostgreSQL.

Why it is built this way (the contract is the ``Store`` docstring in apex.db):
- Each method is one transaction: it holds a process-wide ``RLock`` (threads)
  and an exclusive ``flock`` on ``.lock`` (other processes, e.g. gunicorn
  workers), so it reads and leaves a consistent set of files.
- A table is rewritten into a temp file in the same folder, fsynced, then
  ``os.replace``d over the old one: a crash leaves the old or the new file,
  never half of one.
- A method that writes two tables writes the dependent row first (profile
  before user, config before car) and deletes it last; reads ignore orphans,
  so a crash between the two writes leaves nothing half-made in sight.
- Parsed tables are cached per file stat, so an unchanged file is not
  re-parsed while another process's ``os.replace`` is seen at once.
"""

from __future__ import annotations

import csv
import fcntl
import functools
import os
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

from apex.catalogue import BY_KEY, PARAM_KEYS, Value, coerce, format_value
from apex.db import DuplicateError
from apex.models import CAR_FIELDS, PROFILE_FIELDS, Car, Profile, Setup, Sponsor, User
from apex.tables import TABLES

Row = dict[str, Any]
P = ParamSpec("P")
T = TypeVar("T")
_CAR_TAKEN = "You already have this car; give it a different nickname."

# One lock for every CsvStore of the process (threads); the flock covers processes.
_lock = threading.RLock()
_depth = 0  # how deep the thread holding _lock is in _transaction


def _reset_after_fork() -> None:
    """A forked child must not inherit a lock held by a thread it does not have."""
    global _lock, _depth
    _lock, _depth = threading.RLock(), 0


os.register_at_fork(after_in_child=_reset_after_fork)


@contextmanager
def _transaction(lock_path: Path) -> Iterator[None]:
    """Hold the process lock and the folder's flock; re-entrant within a thread."""
    global _depth
    with _lock:
        fd = None
        if _depth == 0:  # opened per transaction, never kept: a fork must not share it
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        _depth += 1
        try:
            if fd is not None:
                fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            _depth -= 1
            if fd is not None:
                os.close(fd)  # closing releases the flock


def _locked(method: Callable[Concatenate[CsvStore, P], T]) -> Callable[Concatenate[CsvStore, P], T]:
    @functools.wraps(method)
    def wrapper(self: CsvStore, *args: P.args, **kwargs: P.kwargs) -> T:
        with _transaction(self.data_dir / ".lock"):
            return method(self, *args, **kwargs)

    return wrapper


def _parse_row(table: str, raw: Mapping[str, str | None]) -> Row:
    """Cell text -> Python values; the only place that reads a CSV cell."""
    row: Row = {}
    for col in TABLES[table]:
        text = raw.get(col) or ""
        if col in BY_KEY:
            row[col] = coerce(BY_KEY[col], text)
        elif col == "id" and table == "master_library":
            row[col] = int(text) if text.strip() else None
        elif col.endswith("_at"):
            row[col] = datetime.fromisoformat(text) if text.strip() else None
        elif col == "is_admin":
            row[col] = text.strip().lower() in ("true", "t", "1", "yes")
        else:
            row[col] = text
    return row


def _format_row(table: str, row: Mapping[str, Any]) -> dict[str, str]:
    """Python values -> cell text; the only place that writes a CSV cell."""
    out: dict[str, str] = {}
    for col in TABLES[table]:
        value = row.get(col)
        if col in BY_KEY:  # coerce first: bad input fails here, before any file changes
            out[col] = format_value(BY_KEY[col], coerce(BY_KEY[col], value))
        elif value is None:
            out[col] = ""
        elif isinstance(value, bool):
            out[col] = "true" if value else "false"
        elif isinstance(value, datetime):
            out[col] = value.isoformat()
        else:
            out[col] = str(value)
    return out


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
    """The old system's name of a car ("Tekno NB48 2.2"), kept in car_configs.car."""
    return f"{car['brand']} {car['model']}".strip()


def _car(row: Row) -> Car:
    return Car(row["id"], row["profile_id"], *(row[f] for f in CAR_FIELDS))


class CsvStore:
    """The ``Store`` protocol over CSV files in ``data_dir`` (see the module docstring)."""

    kind = "csv"

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self._cache: dict[str, tuple[tuple[int, int, int], list[Row]]] = {}

    # -- files ---------------------------------------------------------------

    def _path(self, table: str) -> Path:
        return self.data_dir / f"{table}.csv"

    def _read(self, table: str) -> list[Row]:
        """Parsed rows, shared with the cache: never mutate them."""
        try:
            f = open(self._path(table), newline="", encoding="utf-8")
        except FileNotFoundError:
            return []
        with f:
            st = os.fstat(f.fileno())
            key = (st.st_ino, st.st_mtime_ns, st.st_size)
            hit = self._cache.get(table)
            if hit is not None and hit[0] == key:
                return hit[1]
            rows = [_parse_row(table, raw) for raw in csv.DictReader(f, restval="")]
        self._cache[table] = (key, rows)
        return rows

    def _write(self, table: str, rows: list[Row]) -> None:
        self._write_cells(table, [_format_row(table, r) for r in rows])

    def _write_cells(self, table: str, cells: list[Mapping[str, str]]) -> None:
        """Replace the table atomically: temp file, fsync, os.replace, fsync the folder."""
        tmp: str | None = None
        try:
            with tempfile.NamedTemporaryFile(
                "w", dir=self.data_dir, prefix=f".{table}.", suffix=".tmp",
                delete=False, newline="", encoding="utf-8",
            ) as f:
                tmp = f.name
                writer = csv.DictWriter(f, TABLES[table], restval="", extrasaction="ignore")
                writer.writeheader()
                writer.writerows(cells)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self._path(table))
            tmp = None
        finally:
            self._cache.pop(table, None)
            if tmp is not None:
                with suppress(FileNotFoundError):
                    os.unlink(tmp)
        dir_fd = os.open(self.data_dir, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

    def _header(self, table: str) -> list[str] | None:
        try:
            with open(self._path(table), newline="", encoding="utf-8") as f:
                return next(csv.reader(f), [])
        except FileNotFoundError:
            return None

    def _first(self, table: str, **match: Any) -> Row | None:
        return next((r for r in self._read(table) if r.items() >= match.items()), None)

    def _insert(self, table: str, row: Row) -> None:
        self._write(table, [*self._read(table), row])

    def _replace(self, table: str, new: Row) -> None:
        self._write(table, [new if r["id"] == new["id"] else r for r in self._read(table)])

    def _remove(self, table: str, **match: Any) -> bool:
        rows = self._read(table)
        keep = [r for r in rows if not r.items() >= match.items()]
        if len(keep) < len(rows):
            self._write(table, keep)
        return len(keep) < len(rows)

    # -- schema --------------------------------------------------------------

    def ping(self) -> bool:
        """The folder is there and this process may read and write it."""
        return self.data_dir.is_dir() and os.access(self.data_dir, os.R_OK | os.W_OK | os.X_OK)

    def close(self) -> None:
        """Nothing is held open between calls."""

    def upgrade(self) -> list[str]:
        """Create missing files; add the columns the catalogue gained, keeping every row."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        done: list[str] = []
        with _transaction(self.data_dir / ".lock"):
            for table, cols in TABLES.items():
                header = self._header(table)
                if header is None:
                    self._write_cells(table, [])
                    done.append(f"created {table}.csv")
                elif missing := [c for c in cols if c not in header]:
                    # Cells are copied as text: an upgrade must not depend on parsing.
                    with open(self._path(table), newline="", encoding="utf-8") as f:
                        cells = list(csv.DictReader(f, restval=""))
                    self._write_cells(table, cells)
                    done.append(f"added {', '.join(missing)} to {table}.csv")
        return done

    def schema_status(self) -> list[tuple[str, bool]]:
        """Each table file and whether it exists with every current column."""
        if not self.data_dir.is_dir():
            return [(f"{table}.csv", False) for table in TABLES]
        with _transaction(self.data_dir / ".lock"):
            headers = {table: self._header(table) for table in TABLES}
        return [(f"{t}.csv", h is not None and set(TABLES[t]) <= set(h))
                for t, h in headers.items()]

    # -- users and their racer profile ---------------------------------------

    def _live_profile(self, racer_id: str) -> Row | None:
        """The profile, unless it is the orphan of a create_user that crashed."""
        profile = self._first("racer_profiles", id=racer_id)
        if profile is None or self._first("users", id=profile["user_id"]) is None:
            return None
        return profile

    def _user(self, row: Row | None) -> User | None:
        profile = None if row is None else self._first("racer_profiles", user_id=row["id"])
        if row is None or profile is None:
            return None
        cols = ("id", "username", "email", "password_hash", "is_admin")
        return User(*(row[c] for c in cols), racer_id=profile["id"])

    @_locked
    def create_user(
        self, username: str, email: str, password_hash: str, *, is_admin: bool = False
    ) -> User:
        """The user and its profile; the profile is written first (see the module doc)."""
        users = self._read("users")
        if any(u["username"].lower() == username.lower() for u in users):
            raise DuplicateError("username", "That username is taken.")
        if any(u["email"].lower() == email.lower() for u in users):
            raise DuplicateError("email", "An account with that email exists.")
        user = _stamped(username=username, email=email, password_hash=password_hash,
                        is_admin=bool(is_admin))
        profile = _stamped(**{f: "" for f in PROFILE_FIELDS})
        profile.update(user_id=user["id"], name=username, email=email)
        self._insert("racer_profiles", profile)
        self._insert("users", user)
        return User(user["id"], username, email, password_hash, bool(is_admin), profile["id"])

    @_locked
    def get_user(self, user_id: str) -> User | None:
        return self._user(self._first("users", id=user_id))

    @_locked
    def find_user(self, login: str) -> User | None:
        """Username or email, case-insensitive; the username wins if both match."""
        login = login.strip().lower()
        users = self._read("users")
        row = next((u for u in users if u["username"].lower() == login), None)
        return self._user(row or next((u for u in users if u["email"].lower() == login), None))

    @_locked
    def get_profile(self, racer_id: str) -> Profile | None:
        row = self._live_profile(racer_id)
        return None if row is None else Profile(*(row[c] for c in ("id", "user_id")),
                                                *(row[f] for f in PROFILE_FIELDS))

    @_locked
    def update_profile(self, racer_id: str, data: Mapping[str, str]) -> Profile | None:
        """Fields missing from ``data`` keep their value."""
        row = self._live_profile(racer_id)
        if row is None:
            return None
        self._replace("racer_profiles", {**row, **_texts(data, PROFILE_FIELDS),
                                         "updated_at": datetime.now(UTC)})
        return self.get_profile(racer_id)

    # -- sponsors ------------------------------------------------------------

    @_locked
    def list_sponsors(self, racer_id: str) -> list[Sponsor]:
        mine = [r for r in self._read("sponsors") if r["profile_id"] == racer_id]
        mine.sort(key=lambda r: (r["name"].lower(), r["name"]))
        return [Sponsor(r["id"], r["profile_id"], r["name"], r["category"]) for r in mine]

    @_locked
    def add_sponsor(self, racer_id: str, name: str, category: str) -> Sponsor:
        """LookupError for an unknown racer, as PostgreSQL's foreign key refuses it."""
        if self._live_profile(racer_id) is None:
            raise LookupError(f"no racer {racer_id!r}")
        if any(r["profile_id"] == racer_id and r["name"].lower() == name.lower()
               for r in self._read("sponsors")):
            raise DuplicateError("name", "You already have this sponsor.")
        row = _stamped(profile_id=racer_id, name=name, category=category or "")
        self._insert("sponsors", row)
        return Sponsor(row["id"], racer_id, name, row["category"])

    @_locked
    def delete_sponsor(self, racer_id: str, sponsor_id: str) -> bool:
        return self._remove("sponsors", id=sponsor_id, profile_id=racer_id)

    # -- cars and their Shop Master baseline ----------------------------------

    def _check_unique_car(self, car: Row) -> None:
        for r in self._read("vehicles"):
            if (r["profile_id"] == car["profile_id"] and r["id"] != car["id"]
                    and _car_key(r) == _car_key(car)):
                raise DuplicateError("nickname", _CAR_TAKEN)

    @_locked
    def list_cars(self, racer_id: str) -> list[Car]:
        mine = [r for r in self._read("vehicles") if r["profile_id"] == racer_id]
        return [_car(r) for r in sorted(mine, key=lambda r: (*_car_key(r), r["id"]))]

    @_locked
    def get_car(self, racer_id: str, car_id: str) -> Car | None:
        row = self._first("vehicles", id=car_id, profile_id=racer_id)
        return None if row is None else _car(row)

    @_locked
    def add_car(
        self, racer_id: str, data: Mapping[str, str], baseline: Mapping[str, Value]
    ) -> Car:
        """Config first, then the car: a crash in between leaves only an ignored orphan."""
        if self._live_profile(racer_id) is None:
            raise LookupError(f"no racer {racer_id!r}")
        car = _stamped(profile_id=racer_id, **{f: "" for f in CAR_FIELDS})
        car.update(_texts(data, CAR_FIELDS))
        self._check_unique_car(car)
        config = _stamped(profile_id=racer_id, vehicle_id=car["id"], car=_label(car),
                          **{k: baseline.get(k) for k in PARAM_KEYS})
        self._insert("car_configs", config)
        self._insert("vehicles", car)
        return _car(car)

    @_locked
    def update_car(self, racer_id: str, car_id: str, data: Mapping[str, str]) -> Car | None:
        """Fields missing from ``data`` keep their value; the config's label follows."""
        row = self._first("vehicles", id=car_id, profile_id=racer_id)
        if row is None:
            return None
        new = {**row, **_texts(data, CAR_FIELDS), "updated_at": datetime.now(UTC)}
        self._check_unique_car(new)
        self._replace("vehicles", new)
        config = self._first("car_configs", vehicle_id=car_id)
        if config is not None and config["car"] != _label(new):
            self._replace("car_configs", {**config, "car": _label(new)})
        return _car(new)

    @_locked
    def delete_car(self, racer_id: str, car_id: str) -> bool:
        """Car first, then its config: a crash in between leaves only an ignored orphan."""
        if not self._remove("vehicles", id=car_id, profile_id=racer_id):
            return False
        self._remove("car_configs", vehicle_id=car_id)
        return True

    @_locked
    def get_car_config(self, racer_id: str, car_id: str) -> Setup | None:
        """A car without a config row (hand-edited files) reads as all unset."""
        if self._first("vehicles", id=car_id, profile_id=racer_id) is None:
            return None
        config = self._first("car_configs", vehicle_id=car_id) or {}
        return Setup(car_id, {k: config.get(k) for k in PARAM_KEYS}, config.get("updated_at"))

    @_locked
    def save_car_config(
        self, racer_id: str, car_id: str, values: Mapping[str, Value]
    ) -> Setup | None:
        """Every parameter is replaced: keys missing from ``values`` become unset."""
        car = self._first("vehicles", id=car_id, profile_id=racer_id)
        if car is None:
            return None
        params = {k: values.get(k) for k in PARAM_KEYS}
        old = self._first("car_configs", vehicle_id=car_id)
        if old is None:
            self._insert("car_configs", _stamped(profile_id=racer_id, vehicle_id=car_id,
                                                 car=_label(car), **params))
        else:
            self._replace("car_configs", {**old, **params,
                                          "updated_at": datetime.now(UTC)})
        return self.get_car_config(racer_id, car_id)
