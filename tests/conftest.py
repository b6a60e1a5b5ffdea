"""Shared fixtures: every store and HTTP test runs on both backends.

The PostgreSQL server is a throwaway cluster that ``tests/pg_server.py``
starts once per test session (as the ``postgres`` user when run as root).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from werkzeug.test import TestResponse

from apex import create_app
from apex.catalogue import PRESETS
from apex.db import make_store
from apex.models import Car, User
from apex.store import Store
from tests import pg_server

BACKENDS = ("csv", "postgres")


@pytest.fixture(scope="session")
def pg() -> Iterator[pg_server.PgServer]:
    server = pg_server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def pg_url(pg: pg_server.PgServer) -> str:
    """A database built once through the migration runner, emptied per test."""
    url = pg.create_database("apex_test")
    store = make_store({"DATABASE_URL": url})
    try:
        store.upgrade()
    finally:
        store.close()
    return url


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def store_config(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> dict:
    """Configuration that points at an empty store of the chosen backend."""
    if backend == "postgres":
        url = request.getfixturevalue("pg_url")
        pg_server.truncate_all(url)
        return {"DATABASE_URL": url}
    return {"DATABASE_URL": None, "APEX_DATA_DIR": str(tmp_path / "data")}


@pytest.fixture
def store(store_config: dict) -> Iterator[Store]:
    s = make_store(store_config)
    s.upgrade()
    try:
        yield s
    finally:
        s.close()


# --- the app, its client and a logged-in racer -------------------------------------------

PASSWORD = "correct-horse-battery"
NB48 = PRESETS["Tekno NB48 2.2"]
NT48 = PRESETS["Tekno NT48 2.2"]
# The car and event the HTTP tests start from; a test overrides fields as {**CAR, ...}.
CAR = {"brand": "Tekno", "model": "NB48 2.2", "nickname": "Blue", "class_name": "1/8 Buggy",
       "transponder": "1234567"}
EVENT = {"name": "Winter Cup", "type": "Practice", "start_date": date(2026, 11, 21),
         "track": "Mac's Track", "condition": "Bumpy", "traction": "High"}


def make_app(store_config: dict, **overrides: object) -> Flask:
    """An app on the given store, with its schema in place (as `db upgrade` would do)."""
    # A cheap hash: thousands of sign-ups and logins (scrypt: 0.1 s each). The login code
    # is the same; tests/test_auth.py checks a real app hashes with scrypt.
    config = {"TESTING": True, "SECRET_KEY": "test-secret", "RATELIMIT_ENABLED": False,
              "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", **store_config, **overrides}
    app = create_app(config)
    app.extensions["apex.store"].upgrade()
    return app


@contextmanager
def running_app(store_config: dict, **overrides: object) -> Iterator[Flask]:
    """``make_app`` for a fixture: the store (a PostgreSQL pool) is closed afterwards."""
    app = make_app(store_config, **overrides)
    try:
        yield app
    finally:
        app.extensions["apex.store"].close()


@pytest.fixture
def app(store_config: dict) -> Iterator[Flask]:
    """The app with CSRF off, for tests about behaviour (test_csrf.py keeps it on)."""
    with running_app(store_config, WTF_CSRF_ENABLED=False) as app:
        yield app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


class AuthActions:
    """Sign up, log in and out through the real forms."""

    def __init__(self, client: FlaskClient) -> None:
        self._client = client

    def signup(self, username: str = "alice", password: str = PASSWORD) -> TestResponse:
        return self._client.post("/auth/signup", data={
            "username": username, "email": f"{username}@example.com",
            "password": password, "password_confirm": password,
        })

    def login(self, login: str = "alice", password: str = PASSWORD) -> TestResponse:
        return self._client.post("/auth/login", data={"login": login, "password": password})

    def logout(self) -> TestResponse:
        return self._client.post("/auth/logout")


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)


@pytest.fixture
def alice(client: FlaskClient, auth: AuthActions) -> FlaskClient:
    """The client, signed up and logged in as the racer "alice"."""
    auth.signup("alice")
    return client


def store_of(app: Flask) -> Store:
    """The store an app's views use (the tests' way in, to arrange and to check)."""
    return app.extensions["apex.store"]


class _RecordingStore:
    """The app's real store, noting the name of every method the views call."""

    def __init__(self, store: Store, calls: list[str]) -> None:
        self._store, self._calls = store, calls

    def __getattr__(self, name: str) -> object:
        attribute = getattr(self._store, name)
        if not callable(attribute):
            return attribute

        def call(*args: object, **kwargs: object) -> object:
            self._calls.append(name)
            return attribute(*args, **kwargs)
        return call


@contextmanager
def recorded_store_calls(app: Flask) -> Iterator[list[str]]:
    """The store methods the app calls meanwhile, by name (the real store answers)."""
    real, calls = app.extensions["apex.store"], []
    app.extensions["apex.store"] = _RecordingStore(real, calls)
    try:
        yield calls
    finally:
        app.extensions["apex.store"] = real


def new_user(store: Store, name: str = "alice") -> User:
    """A user and racer profile made straight in ``store`` (the store tests' racer)."""
    return store.create_user(name, f"{name}@example.com", "hash-" + name)


def racer(app: Flask, username: str = "alice") -> str:
    """The racer profile id of ``username``."""
    return store_of(app).find_user(username).racer_id


def add_car(app: Flask, username: str = "alice", **fields: object) -> Car:
    """A car of ``username`` (``CAR`` with ``fields`` over it) on the NB48 preset."""
    car = store_of(app).add_car(racer(app, username), {**CAR, **fields}, NB48)
    assert car is not None
    return car


HX = {"HX-Request": "true"}


def hx(target: str) -> dict[str, str]:
    """Headers of an HTMX request that swaps the element with this id."""
    return {**HX, "HX-Target": target}
