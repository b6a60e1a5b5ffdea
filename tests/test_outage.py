"""Surviving the database: the app boots, fails fast and recovers while PostgreSQL is down.

Each test here owns a throwaway PostgreSQL cluster (not the session's shared one) that it
stops and starts at will. Timings are printed (run with ``-s``) and bounded only by the
request timeouts: ``scripts/bench_outage.py`` reports the figures.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import psycopg
import pytest

from apex import create_app
from apex.db import make_store
from tests import pg_server
from tests.test_gunicorn import BOOT_TIMEOUT, ROOT, Browser, Server, form_fields

PASSWORD = "outage-racer-2026"
# Long enough for a loaded CI machine, far shorter than "the app stays down".
RECOVERY_BOUND = 10.0


@pytest.fixture(scope="module")
def own_pg() -> Iterator[pg_server.PgServer]:
    server = pg_server.start_cluster()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def outage_db(own_pg: pg_server.PgServer) -> Iterator[str]:
    """A fresh database with the schema on the test's own (running) cluster."""
    url = own_pg.create_database("apex_outage")
    store = make_store({"DATABASE_URL": url})
    try:
        store.upgrade()
    finally:
        store.close()
    try:
        yield url
    finally:
        if own_pg.paused:  # a test that failed half-way
            own_pg.resume()
        own_pg.drop_database("apex_outage")


def _timed(call):  # type: ignore[no-untyped-def]
    t0 = time.monotonic()
    result = call()
    return result, time.monotonic() - t0


# --- in process: create_app and requests with the server stopped ----------------------------

def test_app_boots_with_postgres_down_and_recovers(own_pg, outage_db):
    own_pg.pause()
    try:
        app = create_app({"TESTING": True, "SECRET_KEY": "t", "WTF_CSRF_ENABLED": False,
                          "RATELIMIT_ENABLED": False, "DATABASE_URL": outage_db})
    except BaseException:
        own_pg.resume()
        raise
    try:
        client = app.test_client()
        live = client.get("/livez")
        assert live.status_code == 200 and live.json == {"status": "ok"}
        ready = client.get("/healthz")
        assert ready.status_code == 503 and ready.json["database"] is False
        # A request that needs the database gets the outage page, not a 500.
        login = {"login": "nobody", "password": "wrong-password-here"}
        for _ in range(3):
            page, took = _timed(lambda: client.post("/auth/login", data=login))
            print(f"outage page in {took * 1000:.0f} ms")
            assert page.status_code == 503, page.text[:500]
            assert "Nothing was saved" in page.text
        fragment = client.post("/auth/login", data=login, headers={"HX-Request": "true"})
        assert fragment.status_code == 503 and "<html" not in fragment.text

        own_pg.resume()
        t0 = time.monotonic()
        while True:
            page = client.post("/auth/login", data=login)
            if page.status_code != 503 or time.monotonic() - t0 > RECOVERY_BOUND:
                break
            time.sleep(0.1)
        print(f"recovered in {time.monotonic() - t0:.2f} s")
        assert page.status_code == 422, page.text[:500]  # the database said: no such user
        assert client.get("/healthz").status_code == 200
    finally:
        app.extensions["apex.store"].close()


def test_an_outage_logs_a_bounded_number_of_lines(own_pg, outage_db, caplog):
    """Many requests during an outage: the outage is logged once, the pool's failing
    reconnects a handful of times, not once per request."""
    app = create_app({"TESTING": True, "SECRET_KEY": "t", "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_ENABLED": False, "DATABASE_URL": outage_db})
    try:
        client = app.test_client()
        login = {"login": "nobody", "password": "wrong-password-here"}
        assert client.post("/auth/login", data=login).status_code == 422  # pool in use
        caplog.set_level(logging.INFO)
        own_pg.pause()
        for _ in range(120):  # past the pool's 5 s reconnect_timeout
            assert client.post("/auth/login", data=login).status_code == 503
            time.sleep(0.05)
        records = [r for r in caplog.records if r.levelno >= logging.WARNING]
        print("\n".join(f"{r.name}: {r.getMessage()[:100]}" for r in records))
        unreachable = [r for r in records if "database unreachable" in r.getMessage()]
        assert len(unreachable) == 1
        assert len(records) <= 25, len(records)  # a few per reconnect, not one per request
        assert not any(r.exc_info for r in caplog.records)  # no traceback per request
    finally:
        app.extensions["apex.store"].close()
        if own_pg.paused:
            own_pg.resume()


# --- flask db upgrade waits for the server -----------------------------------------------------

def _env(url: str, wait: float) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("APEX_", "FLASK_"))}
    env.update({"DATABASE_URL": url, "SECRET_KEY": "upgrade-test", "APEX_DB_WAIT": str(wait)})
    return env


def _flask_db(command: str, url: str, wait: float = 60, group: str = "db"
              ) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", group,
                           *command.split()],
                          cwd=ROOT, env=_env(url, wait), capture_output=True, text=True,
                          timeout=120)


def _nobody() -> str:
    """A URL where no server listens."""
    return f"postgresql://postgres@127.0.0.1:{pg_server._free_port()}/postgres"


def test_db_upgrade_waits_for_a_server_that_comes_up(own_pg):
    url = own_pg.create_database("apex_late")  # empty: upgrade has work to do
    own_pg.pause()
    proc = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
                            cwd=ROOT, env=_env(url, wait=60), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    errors: list[str] = []
    retrying = threading.Event()

    def read_stderr() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            errors.append(line)
            if "retrying" in line:
                retrying.set()

    reader = threading.Thread(target=read_stderr)
    reader.start()
    try:
        # The server comes up only once the command has found it down and said so.
        assert retrying.wait(60), "".join(errors)
        time.sleep(2.0)
    finally:
        own_pg.resume()
    stdout, _ = proc.communicate(timeout=60)
    reader.join(timeout=10)
    stderr = "".join(errors)
    print(stdout, stderr)
    assert proc.returncode == 0, stdout + stderr
    assert "Traceback" not in stderr
    assert "database not reachable (attempt 1)" in stderr  # one line per failed attempt
    assert "applied" in stdout


def test_db_upgrade_gives_up_after_the_bound_with_a_clear_message():
    out, took = _timed(lambda: _flask_db("upgrade", _nobody(), wait=3))
    print(f"gave up after {took:.1f} s\n{out.stderr}")
    assert out.returncode != 0
    assert "Traceback" not in out.stderr + out.stdout
    assert "retrying" in out.stderr
    assert "could not reach the database within 3 s" in out.stderr
    assert "nothing was changed" in out.stderr


def test_other_db_commands_say_the_database_is_unreachable_without_a_traceback():
    out = _flask_db("status", _nobody())
    assert out.returncode != 0
    assert "Traceback" not in out.stderr + out.stdout
    assert "Error: the database is not reachable" in out.stderr, out.stderr


def test_user_commands_say_the_database_is_unreachable_without_a_traceback():
    out = _flask_db("set-admin alice", _nobody(), group="user")
    assert out.returncode != 0
    assert "Traceback" not in out.stderr + out.stdout
    assert "Error: the database is not reachable" in out.stderr, out.stderr


# --- gunicorn: a worker killed during the outage is replaced, the app comes back -------------

def test_gunicorn_survives_a_worker_killed_while_postgres_is_down(own_pg, outage_db, tmp_path):
    server = Server("outage", workers=2, database_url=outage_db, logdir=tmp_path)
    try:
        server.start()
        server.wait_healthy(time.monotonic() + BOOT_TIMEOUT)
        browser = Browser()
        signup = browser.get(server.base + "/auth/signup")
        fields = form_fields(signup.body, "/auth/signup")
        garage = browser.post(server.base + "/auth/signup", {
            **fields, "username": "outage", "email": "outage@example.com",
            "password": PASSWORD, "password_confirm": PASSWORD})
        assert garage.status == 200 and garage.path == "/garage/", server.logs()

        own_pg.pause()
        before = server.worker_pids()
        assert len(before) == 2, server.logs()
        victim = min(before)
        os.kill(victim, signal.SIGKILL)
        deadline = time.monotonic() + BOOT_TIMEOUT
        while time.monotonic() < deadline:
            assert server.proc is not None and server.proc.poll() is None, \
                f"the gunicorn master exited\n{server.logs()}"
            now = server.worker_pids()
            if len(now) == 2 and victim not in now:
                break
            time.sleep(0.1)
        assert len(now) == 2 and victim not in now, f"no new worker booted\n{server.logs()}"
        time.sleep(1.0)  # the new worker is up, not just forked
        assert server.proc.poll() is None, server.logs()

        # Requests during the outage: the outage page, from both workers, in bounded time
        # (Browser's timeout is 10 s: a request that waits longer fails the test).
        slowest = 0.0
        for _ in range(6):
            page, took = _timed(lambda: browser.get(server.base + "/garage/"))
            slowest = max(slowest, took)
            assert page.status == 503 and "Nothing was saved" in page.body, page.body[:500]
        live, live_took = _timed(lambda: browser.get(server.base + "/livez"))
        assert live.status == 200
        ready = browser.get(server.base + "/healthz")
        assert ready.status == 503
        print(f"outage: slowest 503 {slowest * 1000:.0f} ms, /livez {live_took * 1000:.0f} ms")

        own_pg.resume()
        t0 = time.monotonic()
        while time.monotonic() - t0 < RECOVERY_BOUND:
            page = browser.get(server.base + "/garage/")
            if page.status == 200:
                break
            time.sleep(0.1)
        print(f"recovered in {time.monotonic() - t0:.2f} s")
        assert page.status == 200 and page.path == "/garage/", f"{page.status}\n{server.logs()}"
        assert "Worker failed to boot" not in server.logs()
    finally:
        server.stop()


def test_a_query_error_on_a_live_connection_is_not_an_outage(pg_url):
    """The server answered (here a statement timeout; a deadlock alike): that is a bug to
    see as such (a 500 and its traceback), and the next request is served as usual."""
    store = make_store({"DATABASE_URL": pg_url})
    try:
        with pytest.raises(psycopg.errors.QueryCanceled):
            with store._tx() as conn:  # type: ignore[attr-defined]
                conn.execute("SET LOCAL statement_timeout = 10")
                conn.execute("SELECT pg_sleep(1)")
        assert store.find_user("nobody") is None  # no StoreUnavailable: not marked down
    finally:
        store.close()
