"""The PostgreSQL store: the ``Store`` protocol over raw, parameterised SQL.

Inside a request (``begin_request`` .. ``end_request``, wired in apex.db) every
method shares one pooled connection and one transaction, taken on first use and
committed (or rolled back) when the request ends, so a page costs a handful of round
trips; a method that writes runs in a savepoint of it, so a refused write (a duplicate)
leaves the request's transaction usable. Outside a request (the CLI, tests, a worker
thread) each method is its own transaction on its own pooled connection. Every racer-owned statement
filters on ``profile_id``: another racer's id reads as "missing". Queries name
their columns after the dataclass fields (ids cast to text), so a row becomes
a dataclass with ``Cls(**row)``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar, cast

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict
from psycopg.pq import TransactionStatus
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool, PoolTimeout

from apex import migrations, versions
from apex.catalogue import PARAMS, Value, coerce
from apex.login_session import next_generation
from apex.models import CAR_FIELDS, PROFILE_FIELDS, Car, Profile, Setup, Sponsor, User, car_label
from apex.request_keys import RUN_ID_TAKEN
from apex.schema_sync import SchemaReport
from apex.store import DuplicateError, StoreUnavailable
from apex.stores import library_rules, postgres_library, postgres_tables
from apex.stores import postgres_params as setup_sql
from apex.stores.postgres_archive import ArchiveMethods
from apex.stores.postgres_events import EventMethods
from apex.stores.postgres_figures import FigureMethods
from apex.stores.postgres_health import Availability, first_line
from apex.stores.postgres_keys import KeyMethods
from apex.stores.postgres_keys import claim as _claim
from apex.stores.postgres_keys import ids as _key
from apex.stores.postgres_keys import owner as _owner
from apex.stores.postgres_library import LibraryMethods
from apex.stores.postgres_logins import LoginAttemptMethods
from apex.stores.postgres_notes import NoteMethods
from apex.stores.postgres_params import Conn, one
from apex.stores.postgres_runs import RunMethods, refresh_imported
from apex.stores.postgres_theory import TheoryMethods
from apex.transfer import Report, Rows
from apex.transfer.plan import ORDER, plan

T = TypeVar("T")
_CAR_TAKEN = "You already have this car; give it a different nickname."
# Unique index name (sql/0001_init.sql) -> the form field to blame and the racer's message.
_DUPLICATES: dict[str, tuple[str, str]] = {
    "users_username_key": ("username", "That username is taken."),
    "users_email_key": ("email", "An account with that email exists."),
    "sponsors_profile_name_key": ("name", "You already have this sponsor."),
    "vehicles_profile_car_key": ("nickname", _CAR_TAKEN),
    "master_library_baseline_key": ("track", library_rules.TAKEN),
    "events_one_active_per_car": ("car_id", library_rules.EVENT_OPEN),
    "runs_pkey": ("run_id", RUN_ID_TAKEN),
}

# Seconds a request waits for a pooled connection before a direct check asks whether the
# database is there at all (with GUNICORN_THREADS <= APEX_POOL_MAX a longer wait means
# the pool has no live connection, not that it is busy).
FIRST_WAIT = 1.0
RECONNECT_TIMEOUT = 5.0
SET_ADMIN = "UPDATE users SET is_admin = %(is_admin)s, updated_at = now() WHERE id = %(user_id)s"
LOCK_GENERATION = "SELECT session_generation FROM users WHERE id = %(user_id)s FOR UPDATE"
SET_PASSWORD = """UPDATE users SET password_hash = %(password_hash)s,
session_generation = %(generation)s, updated_at = now() WHERE id = %(user_id)s"""
SET_GENERATION = """UPDATE users SET session_generation = %(generation)s, updated_at = now()
WHERE id = %(user_id)s"""
INSERT_USER = """INSERT INTO users (username, email, password_hash, is_admin)
VALUES (%(username)s, %(email)s, %(password_hash)s, %(is_admin)s)
RETURNING id::text, username, email, password_hash, is_admin, session_generation"""
INSERT_PROFILE = """INSERT INTO racer_profiles (user_id, name, email)
VALUES (%(user_id)s, %(name)s, %(email)s) RETURNING id::text AS racer_id"""
_USER_SELECT = """SELECT u.id::text, u.username, u.email, u.password_hash, u.is_admin,
p.id::text AS racer_id, u.session_generation
FROM users u JOIN racer_profiles p ON p.user_id = u.id """
GET_USER = _USER_SELECT + "WHERE u.id = %(user_id)s"
# A login is a username or an email; the username match wins if both hit.
FIND_USER = _USER_SELECT + """
WHERE lower(u.username) = lower(%(login)s) OR lower(u.email) = lower(%(login)s)
ORDER BY lower(u.username) = lower(%(login)s) DESC LIMIT 1"""

_PROFILE_COLS = """id::text, user_id::text, name, email, facebook, instagram, transponder,
experience_level, driving_style, version"""
GET_PROFILE = f"SELECT {_PROFILE_COLS} FROM racer_profiles WHERE id = %(racer_id)s"
LOCK_PROFILE = GET_PROFILE + " FOR UPDATE"
# A field missing from the mapping is passed as NULL and keeps its value. Compare-and-set:
# only over the version read under the lock (apex.versions).
UPDATE_PROFILE = f"""UPDATE racer_profiles SET
name = coalesce(%(name)s, name), email = coalesce(%(email)s, email),
facebook = coalesce(%(facebook)s, facebook), instagram = coalesce(%(instagram)s, instagram),
transponder = coalesce(%(transponder)s, transponder),
experience_level = coalesce(%(experience_level)s, experience_level),
driving_style = coalesce(%(driving_style)s, driving_style), version = %(version)s,
updated_at = now() WHERE id = %(racer_id)s AND version = %(read_version)s
RETURNING {_PROFILE_COLS}"""

LIST_SPONSORS = """SELECT id::text, profile_id::text AS racer_id, name, category FROM sponsors
WHERE profile_id = %(racer_id)s ORDER BY lower(name), name"""
INSERT_SPONSOR = """INSERT INTO sponsors (profile_id, name, category)
VALUES (%(racer_id)s, %(name)s, %(category)s)
RETURNING id::text, profile_id::text AS racer_id, name, category"""
DELETE_SPONSOR = "DELETE FROM sponsors WHERE id = %(sponsor_id)s AND profile_id = %(racer_id)s"

_CAR_COLS = """id::text, profile_id::text AS racer_id, brand, model, nickname, transponder,
class_name, power, version, archived_at"""
# archived: false -> the cars in use, true -> the archived ones, NULL -> all.
LIST_CARS = f"""SELECT {_CAR_COLS} FROM vehicles WHERE profile_id = %(racer_id)s
AND (%(archived)s::boolean IS NULL OR (archived_at IS NOT NULL) = %(archived)s::boolean)
ORDER BY lower(brand), lower(model), lower(nickname), id"""
GET_CAR = f"""SELECT {_CAR_COLS} FROM vehicles
WHERE id = %(car_id)s AND profile_id = %(racer_id)s"""
LOCK_CAR = GET_CAR + " FOR UPDATE"
# An empty power is the column's default (nitro).
INSERT_CAR = f"""INSERT INTO vehicles
(profile_id, brand, model, nickname, transponder, class_name, power)
VALUES (%(racer_id)s, %(brand)s, %(model)s, %(nickname)s, %(transponder)s, %(class_name)s,
coalesce(nullif(%(power)s, ''), 'nitro')) RETURNING {_CAR_COLS}"""
UPDATE_CAR = f"""UPDATE vehicles SET
brand = coalesce(%(brand)s, brand), model = coalesce(%(model)s, model),
nickname = coalesce(%(nickname)s, nickname), transponder = coalesce(%(transponder)s, transponder),
class_name = coalesce(%(class_name)s, class_name),
power = coalesce(nullif(%(power)s, ''), power), version = %(version)s, updated_at = now()
WHERE id = %(car_id)s AND profile_id = %(racer_id)s AND version = %(read_version)s
RETURNING {_CAR_COLS}"""
# The old system named a car by this label ("Tekno NB48 2.2"); keep it in step.
# Only the label follows; updated_at stays the date of the last setup change (the sheet shows it).
UPDATE_CAR_LABEL = """UPDATE car_configs SET car = trim(%(brand)s || ' ' || %(model)s)
WHERE vehicle_id = %(car_id)s AND profile_id = %(racer_id)s"""

# Shop Master baselines: the parameter columns come from the catalogue.
# A car and its baseline, from the car's side, so a car whose baseline row is missing
# reads as all unset: the car's version as car_version, the config's as version.
# get_car_config reads the same row.
GET_CAR_WITH_CONFIG = sql.SQL("""SELECT v.id::text AS car_id, v.profile_id::text AS racer_id,
v.brand, v.model, v.nickname, v.transponder, v.class_name, v.power, v.version AS car_version,
v.archived_at, c.updated_at, coalesce(c.version, 1) AS version, {cols}
FROM vehicles v LEFT JOIN car_configs c ON c.vehicle_id = v.id
WHERE v.id = %(car_id)s AND v.profile_id = %(racer_id)s""").format(cols=setup_sql.columns("c"))
# The baseline held against concurrent saves until the transaction ends.
LOCK_CONFIG = sql.SQL("""SELECT v.id::text AS car_id, c.updated_at, c.version, {cols},
v.brand, v.model, v.nickname
FROM vehicles v JOIN car_configs c ON c.vehicle_id = v.id
WHERE v.id = %(car_id)s AND v.profile_id = %(racer_id)s FOR UPDATE OF c""").format(
    cols=setup_sql.columns("c"))
# Insert-or-replace, only for a car of this racer (the SELECT finds nothing otherwise);
# a replace is a compare-and-set over the version read under the lock (apex.versions).
SAVE_CONFIG = sql.SQL("""INSERT INTO car_configs (profile_id, vehicle_id, car, version, {cols})
SELECT v.profile_id, v.id, trim(v.brand || ' ' || v.model), %(version)s, {vals} FROM vehicles v
WHERE v.id = %(car_id)s AND v.profile_id = %(racer_id)s
ON CONFLICT (vehicle_id) DO UPDATE SET {sets}, version = EXCLUDED.version, updated_at = now()
WHERE car_configs.version = %(read_version)s
RETURNING vehicle_id::text AS car_id, updated_at, version, {cols}""").format(
    cols=setup_sql.columns(), vals=setup_sql.placeholders(),
    sets=setup_sql.assignments(excluded=True))


def _texts(fields: tuple[str, ...], data: Mapping[str, Any], *, keep_missing: bool) -> dict:
    """Form fields as SQL parameters: None -> '' (missing -> NULL, kept, when updating)."""
    return {f: None if keep_missing and f not in data else str(data.get(f) or "") for f in fields}


def _setup(**row: Any) -> Setup:
    return Setup(row["car_id"], setup_sql.values(row), row["updated_at"], row["version"])


def _car_with_config(**row: Any) -> tuple[Car, Setup]:
    car = Car(id=row["car_id"], racer_id=row["racer_id"], brand=row["brand"],
              model=row["model"], nickname=row["nickname"], transponder=row["transponder"],
              class_name=row["class_name"], power=row["power"], version=row["car_version"],
              archived_at=row["archived_at"])
    return car, _setup(**row)


def _save_config(conn: Conn, key: dict, values: Mapping[str, Value], version: int | None
                 ) -> Setup | None:
    """Lock the car's baseline, ask apex.versions, write ``values`` over it (or add it);
    None if it is not the racer's car. The row locked: the car's, for the label."""
    row = conn.execute(LOCK_CONFIG, key).fetchone()
    params = {**setup_sql.params(values), **key, "version": 1, "read_version": None}
    if row is not None:
        current = _setup(**row)
        wanted = {p.key: coerce(p, values.get(p.key)) for p in PARAMS}
        params["version"] = versions.next_version(current, current.values, wanted, version)
        params["read_version"] = current.version
    saved = conn.execute(SAVE_CONFIG, params).fetchone()
    return None if saved is None else _setup(**saved)


class PostgresStore(KeyMethods, ArchiveMethods, LibraryMethods, EventMethods, NoteMethods,
                    RunMethods, FigureMethods, TheoryMethods, LoginAttemptMethods):
    """The ``Store`` for production: a connection pool over one database.

    The Setup Library and notebook methods come from apex.stores.postgres_library,
    the race day's from apex.stores.postgres_events and postgres_runs.
    """

    kind = "postgres"

    def __init__(self, url: str, *, min_size: int = 1, max_size: int = 5,
                 timeout: float = 5.0, connect_timeout: int = 3) -> None:
        """Build the pool without waiting for the database (a worker must boot during an
        outage): it connects in the background; a malformed URL still fails here."""
        self._closed = False
        try:
            conninfo_to_dict(url)
        except psycopg.ProgrammingError as exc:
            raise ValueError(f"DATABASE_URL is not a PostgreSQL URL: {first_line(exc)}") from None
        self._timeout = timeout
        self._scope = threading.local()  # this thread's request: .active, .conn
        self._health = Availability(url, connect_timeout=connect_timeout)
        self._pool = ConnectionPool(
            url, min_size=min_size, max_size=max_size,
            kwargs={"row_factory": dict_row, "connect_timeout": connect_timeout},
            open=True, check=ConnectionPool.check_connection, name="apex", timeout=timeout,
            # A background reconnect gives up after this and the pool grows again on the
            # next request: its backoff never grows past a couple of seconds (so the app
            # recovers soon after the database does), and a failing reconnect logs a
            # handful of lines, not one per request.
            reconnect_timeout=RECONNECT_TIMEOUT,
        )

    def _getconn(self, *, autocommit: bool = False) -> psycopg.Connection[Any]:
        """A pooled connection in ``autocommit`` or not (a local flag, no round trip: a
        request's reads run in autocommit, see ``_tx``), or StoreUnavailable: at once while
        the database is known to be down, after ``FIRST_WAIT`` s if a direct check finds
        it gone, else after the pool's timeout (the pool busy)."""
        conn = self._take()
        conn.autocommit = autocommit
        return conn

    def _take(self) -> psycopg.Connection[Any]:
        self._health.gate()
        try:
            return self._pool.getconn(timeout=min(FIRST_WAIT, self._timeout))
        except PoolTimeout:
            pass
        if not self._health.check():
            raise StoreUnavailable(self._health.reason)
        try:
            return self._pool.getconn(timeout=max(self._timeout - FIRST_WAIT, 0.1))
        except PoolTimeout:
            raise StoreUnavailable(
                f"no database connection free within {self._timeout:g} s") from None

    # the request's transaction -----------------------------------------------------
    def begin_request(self) -> None:
        """From now on this thread's store calls share one connection (taken on first
        use, so a request that reads nothing holds none) and, from its first write on,
        one transaction."""
        self._scope.conn = None
        self._scope.active = True

    def end_request(self, *, commit: bool) -> None:
        """Commit (or roll back) the request's transaction, if a write began one, and
        give the connection back; nothing if the request used none. A commit that fails
        on a lost connection is StoreUnavailable: nothing of the request was saved."""
        conn: psycopg.Connection[Any] | None = getattr(self._scope, "conn", None)
        self._scope.conn = None
        self._scope.active = False
        if conn is None:
            return
        try:
            if commit and not conn.broken:
                conn.commit()
            elif not conn.broken:
                conn.rollback()
        except psycopg.OperationalError as exc:
            if not conn.broken:
                raise
            self._health.lost(first_line(exc))
            raise StoreUnavailable(first_line(exc)) from exc
        finally:
            self._pool.putconn(conn)

    @contextmanager
    def _tx(self, *, read: bool = False, own: bool = False) -> Iterator[Conn]:
        """The connection to run one store method on, in a transaction: outside a request
        one of its own, committed at the end; in a request the request's, in a savepoint
        unless ``read``; ``own`` in a request: what the request did so far is committed,
        then the method runs in a transaction committed when it returns (a login attempt
        counts whatever the request does next). Never a second connection per request:
        with every thread holding one and waiting for another, the pool would starve.
        A unique rule broken -> DuplicateError; the database unreachable or lost mid-way
        -> StoreUnavailable.

        The request's transaction begins at its first write: until then the connection
        is in autocommit and each read is a statement alone, which under READ COMMITTED
        sees what it would in a transaction, so a page that only reads (most of them)
        spends no round trips on BEGIN and COMMIT. A read that needs a transaction (SET
        LOCAL) opens one itself (``conn.transaction()``)."""
        if not getattr(self._scope, "active", False):
            conn = self._getconn()
            try:
                with self._errors(conn), conn:  # commit, or roll back on an exception
                    yield cast(Conn, conn)  # the pool's row_factory is dict_row
            finally:
                self._pool.putconn(conn)
            return
        if self._scope.conn is None:
            self._scope.conn = self._getconn(autocommit=True)  # until the first write
        conn = self._scope.conn
        with self._errors(conn):
            if own:
                if conn.info.transaction_status != TransactionStatus.IDLE:
                    conn.commit()
                with conn.transaction():
                    yield cast(Conn, conn)
            elif read:
                yield cast(Conn, conn)
            else:
                if conn.info.transaction_status == TransactionStatus.IDLE:
                    conn.execute("BEGIN")  # the request's transaction, to end_request
                with conn.transaction():  # a savepoint: a refused write undoes itself only
                    yield cast(Conn, conn)

    @contextmanager
    def _errors(self, conn: psycopg.Connection[Any]) -> Iterator[None]:
        """The database's errors as the store's: DuplicateError, LookupError (no such
        racer), StoreUnavailable (the connection lost)."""
        try:
            yield
        except psycopg.errors.UniqueViolation as exc:
            name = exc.diag.constraint_name or ""
            field, message = _DUPLICATES.get(name, ("", "That already exists."))
            raise DuplicateError(field, message) from None
        except psycopg.errors.ForeignKeyViolation:
            raise LookupError("no such racer") from None
        except psycopg.OperationalError as exc:
            if not conn.broken:
                raise  # the server answered (a deadlock, a timeout): a bug, not an outage
            self._health.lost(first_line(exc))
            raise StoreUnavailable(first_line(exc)) from exc

    def _one(self, query: Any, params: dict | None, make: Callable[..., T]) -> T | None:
        """The row ``query`` finds, made into ``make(**row)``; None if none or ids invalid."""
        if params is None:
            return None
        with self._tx(read=True) as conn:
            row = conn.execute(query, params).fetchone()
        return make(**row) if row else None

    def _all(self, query: Any, params: dict | None, make: Callable[..., T]) -> list[T]:
        if params is None:
            return []
        with self._tx(read=True) as conn:
            return [make(**row) for row in conn.execute(query, params).fetchall()]

    def _changed(self, query: Any, params: dict | None) -> bool:
        """Run an UPDATE/DELETE; whether it touched a row (False for invalid ids)."""
        if params is None:
            return False
        with self._tx() as conn:
            return conn.execute(query, params).rowcount > 0

    def ping(self) -> bool:
        """Whether the database answers: a direct connection with a short connect timeout,
        outside the pool, so a health check never queues behind requests."""
        return self._health.check()

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._pool.close()

    # schema ---------------------------------------------------------------
    def upgrade(self) -> SchemaReport:
        with self._tx(own=True) as conn:
            return migrations.upgrade(cast(psycopg.Connection[Any], conn))

    def schema_status(self) -> list[tuple[str, bool]]:
        with self._tx(read=True) as conn:
            return migrations.status(cast(psycopg.Connection[Any], conn))

    # users ----------------------------------------------------------------
    def create_user(
        self, username: str, email: str, password_hash: str, *, is_admin: bool = False
    ) -> User:
        """The user and its racer profile, in one transaction."""
        new = {"username": username, "email": email, "password_hash": password_hash,
               "is_admin": is_admin}
        with self._tx() as conn:
            user = one(conn, INSERT_USER, new)
            profile = {"user_id": user["id"], "name": username, "email": email}
            racer = one(conn, INSERT_PROFILE, profile)
        return User(**user, **racer)

    def get_user(self, user_id: str) -> User | None:
        return self._one(GET_USER, _key(user_id=user_id), User)

    def find_user(self, login: str) -> User | None:
        return self._one(FIND_USER, {"login": login.strip()}, User)

    # profile --------------------------------------------------------------
    def get_profile(self, racer_id: str) -> Profile | None:
        return self._one(GET_PROFILE, _key(racer_id=racer_id), Profile)

    def update_profile(self, racer_id: str, data: Mapping[str, str], *,
                       version: int | None = None) -> Profile | None:
        if (key := _key(racer_id=racer_id)) is None:
            return None
        fields = _texts(PROFILE_FIELDS, data, keep_missing=True)
        with self._tx() as conn:
            if (row := conn.execute(LOCK_PROFILE, key).fetchone()) is None:
                return None
            current = Profile(**row)
            given = {f: v for f, v in fields.items() if v is not None}
            new = versions.next_version(current, row, given, version)
            return Profile(**one(conn, UPDATE_PROFILE, {
                **fields, **key, "version": new, "read_version": current.version}))

    # sponsors -------------------------------------------------------------
    def list_sponsors(self, racer_id: str) -> list[Sponsor]:
        return self._all(LIST_SPONSORS, _key(racer_id=racer_id), Sponsor)

    def add_sponsor(
        self, racer_id: str, name: str, category: str, *, request_key: str | None = None
    ) -> Sponsor | None:
        params = {"racer_id": _owner(racer_id), "name": name, "category": category or ""}
        with self._tx() as conn:
            if not _claim(conn, params["racer_id"], request_key):
                return None
            return Sponsor(**one(conn, INSERT_SPONSOR, params))

    def delete_sponsor(self, racer_id: str, sponsor_id: str) -> bool:
        return self._changed(DELETE_SPONSOR, _key(racer_id=racer_id, sponsor_id=sponsor_id))

    # cars -----------------------------------------------------------------
    def list_cars(self, racer_id: str, *, archived: bool | None = False) -> list[Car]:
        key = _key(racer_id=racer_id)
        return self._all(LIST_CARS, key and {**key, "archived": archived}, Car)

    def get_car(self, racer_id: str, car_id: str) -> Car | None:
        return self._one(GET_CAR, _key(racer_id=racer_id, car_id=car_id), Car)

    def add_car(
        self, racer_id: str, data: Mapping[str, str], baseline: Mapping[str, Value],
        *, request_key: str | None = None,
    ) -> Car | None:
        """The car and its Shop Master baseline, in one transaction."""
        rid = _owner(racer_id)
        fields = _texts(CAR_FIELDS, data, keep_missing=False)
        with self._tx() as conn:
            if not _claim(conn, rid, request_key):
                return None
            car = Car(**one(conn, INSERT_CAR, {**fields, "racer_id": rid}))
            config = {**setup_sql.params(baseline), "racer_id": rid, "car_id": car.id,
                      "version": 1, "read_version": None}
            conn.execute(SAVE_CONFIG, config)
        return car

    def update_car(self, racer_id: str, car_id: str, data: Mapping[str, str], *,
                   version: int | None = None) -> Car | None:
        """The car's fields and its baseline's label, in one transaction."""
        if (key := _key(racer_id=racer_id, car_id=car_id)) is None:
            return None
        fields = _texts(CAR_FIELDS, data, keep_missing=True)
        with self._tx() as conn:
            if (old := conn.execute(LOCK_CAR, key).fetchone()) is None:
                return None
            current = Car(**old)
            # What UPDATE_CAR keeps: missing fields, and an empty power.
            given = {f: v for f, v in fields.items() if v is not None and (v or f != "power")}
            new = versions.next_version(current, old, given, version)
            row = one(conn, UPDATE_CAR, {**fields, **key, "version": new,
                                         "read_version": current.version})
            conn.execute(UPDATE_CAR_LABEL, {**row, **key})
        return Car(**row)

    # Shop Master ----------------------------------------------------------
    def get_car_config(self, racer_id: str, car_id: str) -> Setup | None:
        return self._one(GET_CAR_WITH_CONFIG, _key(racer_id=racer_id, car_id=car_id), _setup)

    def get_car_with_config(self, racer_id: str, car_id: str) -> tuple[Car, Setup] | None:
        return self._one(GET_CAR_WITH_CONFIG, _key(racer_id=racer_id, car_id=car_id),
                         _car_with_config)

    def save_car_config(
        self, racer_id: str, car_id: str, values: Mapping[str, Value], *,
        version: int | None = None,
    ) -> Setup | None:
        """Replace every parameter of the car's baseline (None if not the racer's car)."""
        if (key := _key(racer_id=racer_id, car_id=car_id)) is None:
            return None
        with self._tx() as conn:
            return _save_config(conn, key, values, version)

    def change_car_config(
        self, racer_id: str, car_id: str, values: Mapping[str, Value], note: str,
        *, track: str = "",
    ) -> Setup | None:
        """Lock the baseline, merge, save and note it in one transaction."""
        if (key := _key(racer_id=racer_id, car_id=car_id)) is None:
            return None
        with self._tx() as conn:
            row = conn.execute(LOCK_CONFIG, key).fetchone()
            if row is None:
                return None
            merged = {**_setup(**row).values, **values}
            saved = _save_config(conn, key, merged, None)
            assert saved is not None  # locked above
            postgres_library.add_track_log(conn, racer_id, "change", note,
                                           {"track": track, "event": "", "keywords": "",
                                            "car": car_label(row["brand"], row["model"],
                                                             row["nickname"])})
        return saved

    # whole tables: import, export, accounts ---------------------------------
    def dump_tables(self) -> Rows:
        with self._tx(read=True) as conn:
            return postgres_tables.dump(conn)

    def import_rows(self, incoming: Rows, *, dry_run: bool = False) -> Report:
        """Lock, read, plan and apply in one transaction of its own: all of the import or
        none (a dry run rolls it back)."""
        with self._tx(own=True) as conn, conn.transaction(force_rollback=dry_run):
            postgres_tables.lock(conn)
            result = plan(postgres_tables.dump(conn), incoming)
            result.report.dry_run = dry_run
            if not dry_run:
                postgres_tables.apply(conn, result)
                refresh_imported(conn, {t: [*result.creates.get(t, []),
                                            *result.updates.get(t, [])] for t in ORDER})
        return result.report

    def set_admin(self, user_id: str, is_admin: bool) -> bool:
        key = _key(user_id=user_id)
        return self._changed(SET_ADMIN, key and {**key, "is_admin": is_admin})

    def set_password(self, user_id: str, password_hash: str) -> bool:
        """The new password, and every login made with the old one revoked."""
        return self._next_generation(user_id, SET_PASSWORD,
                                     {"password_hash": password_hash}) is not None

    def revoke_sessions(self, user_id: str) -> int | None:
        return self._next_generation(user_id, SET_GENERATION, {})

    def _next_generation(self, user_id: str, update: str, params: dict) -> int | None:
        """Lock the user, ask the rule for the next generation, write it with ``update``."""
        if (key := _key(user_id=user_id)) is None:
            return None
        with self._tx() as conn:
            row = conn.execute(LOCK_GENERATION, key).fetchone()
            if row is None:
                return None
            generation = next_generation(row["session_generation"])
            conn.execute(update, {**key, **params, "generation": generation})
        return generation
