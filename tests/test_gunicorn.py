"""The production server for real: gunicorn processes sharing one PostgreSQL database.

Two gunicorn servers are started from the repo root exactly as production starts
them (``gunicorn wsgi:app -c gunicorn.conf.py``), each on its own port: "A" with
two workers, "B" with one. A racer signs up and adds a sponsor through A's real
forms (CSRF token and all), and every page read through B, a different process
with its own connection pool, shows it at once; a write through B shows on A.
Nothing of a racer's state may live in a process: the session is a signed
cookie, and the data is in the database.
"""

from __future__ import annotations

import http.cookiejar
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import psycopg
import pytest

from apex.db import make_store
from tests import pg_server

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "apex_gunicorn"
BOOT_TIMEOUT = 20.0
# Settings of the machine running the tests that must not reach the servers.
_SCRUBBED_PREFIXES = ("APEX_", "GUNICORN_", "FLASK_")
_SCRUBBED = {"DATABASE_URL", "SECRET_KEY", "WEB_CONCURRENCY", "PORT", "FORWARDED_ALLOW_IPS",
             "RATELIMIT_STORAGE_URI"}


# --- gunicorn as a subprocess ---------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    """One ``gunicorn wsgi:app -c gunicorn.conf.py`` (a master and its workers)."""

    name: str
    workers: int
    database_url: str
    logdir: Path
    port: int = field(default_factory=_free_port)
    proc: subprocess.Popen | None = None
    env: dict[str, str] = field(default_factory=dict)  # more settings, e.g. GUNICORN_THREADS

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = {k: v for k, v in os.environ.items()
               if k not in _SCRUBBED and not k.startswith(_SCRUBBED_PREFIXES)}
        env.update({
            "DATABASE_URL": self.database_url,
            "SECRET_KEY": "gunicorn-test-secret-shared-by-every-process",
            "APEX_ENV": "development",  # plain http: cookies without Secure
            "WEB_CONCURRENCY": str(self.workers),
            "GUNICORN_THREADS": "1",
            "PORT": str(self.port),
            "PYTHONUNBUFFERED": "1",
            **self.env,
        })
        # Files, not pipes: nobody reads while it runs, and a full pipe would block it.
        with open(self.logdir / f"{self.name}.out", "ab") as out, \
                open(self.logdir / f"{self.name}.err", "ab") as err:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "wsgi:app", "-c", "gunicorn.conf.py"],
                cwd=ROOT, env=env, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                start_new_session=True,  # its own process group, so a kill takes the workers
            )

    def logs(self) -> str:
        parts = []
        for stream in ("err", "out"):
            path = self.logdir / f"{self.name}.{stream}"
            text = path.read_text(errors="replace") if path.exists() else ""
            parts.append(f"--- gunicorn {self.name} std{stream} ---\n{text[-4000:]}")
        return "\n".join(parts)

    def wait_healthy(self, deadline: float) -> None:
        assert self.proc is not None
        last = ""
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"gunicorn {self.name} exited with {self.proc.returncode}\n"
                            f"{self.logs()}")
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=2) as resp:
                    if resp.status == 200:
                        return
                    last = f"status {resp.status}"
            except urllib.error.HTTPError as e:
                last = f"status {e.code}: {e.read()[:200]!r}"
            except OSError as e:
                last = repr(e)
            time.sleep(0.1)
        pytest.fail(f"gunicorn {self.name} gave no 200 on /healthz within {BOOT_TIMEOUT} s "
                    f"(last: {last})\n{self.logs()}")

    def worker_pids(self) -> set[int]:
        """The master's child processes (its workers), from /proc."""
        assert self.proc is not None
        children = set()
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                text = stat.read_text()
            except OSError:
                continue  # the process ended meanwhile
            ppid = int(text.rsplit(")", 1)[1].split()[1])
            if ppid == self.proc.pid:
                children.add(int(stat.parent.name))
        return children

    def stop(self) -> None:
        """SIGTERM (graceful), then SIGKILL to the whole process group on a timeout."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=5)


# --- a browser: cookies, forms, redirects -----------------------------------------------------

class _Forms(HTMLParser):
    """Every form of a page: its action and the name -> value of its inputs."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, str]]] = []
        self._current: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self._current = {}
            self.forms.append((a.get("action") or "", self._current))
        elif tag == "input" and self._current is not None and a.get("name"):
            self._current[a["name"] or ""] = a.get("value") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None


def form_fields(page: str, action: str) -> dict[str, str]:
    """The inputs (hidden ones included) of the form posting to ``action``."""
    parser = _Forms()
    parser.feed(page)
    for form_action, fields in parser.forms:
        if form_action == action:
            return fields
    raise AssertionError(f"no form posting to {action} on the page:\n{page[:3000]}")


@dataclass
class Page:
    status: int
    url: str
    body: str

    @property
    def path(self) -> str:
        return urllib.parse.urlsplit(self.url).path


class Browser:
    """urllib with a cookie jar; follows redirects (a 303 after a POST becomes a GET).

    Every request is a new connection (urllib sends ``Connection: close``).
    """

    def __init__(self) -> None:
        self.jar = http.cookiejar.CookieJar()
        self._opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def _open(self, request: urllib.request.Request) -> Page:
        try:
            with self._opener.open(request, timeout=10) as resp:
                return Page(resp.status, resp.geturl(), resp.read().decode())
        except urllib.error.HTTPError as e:
            return Page(e.code, e.geturl(), e.read().decode(errors="replace"))

    def get(self, url: str) -> Page:
        return self._open(urllib.request.Request(url))

    def post(self, url: str, data: dict[str, str]) -> Page:
        body = urllib.parse.urlencode(data).encode()
        return self._open(urllib.request.Request(url, data=body, method="POST"))


# --- the test ---------------------------------------------------------------------------------

@pytest.fixture
def database_url(pg: pg_server.PgServer) -> Iterator[str]:
    """A fresh database with the schema in place, as `flask db upgrade` leaves it."""
    url = pg.create_database(DB_NAME)
    store = make_store({"DATABASE_URL": url})
    try:
        store.upgrade()
    finally:
        store.close()
    try:
        yield url
    finally:
        pg.drop_database(DB_NAME)


def _add_sponsor(browser: Browser, server: Server, name: str) -> None:
    garage = browser.get(server.base + "/garage/")
    assert garage.status == 200 and garage.path == "/garage/", garage.body[:2000]
    fields = form_fields(garage.body, "/garage/sponsors")
    assert fields.get("csrf_token") and fields.get("request_key"), fields
    saved = browser.post(server.base + "/garage/sponsors",
                         {**fields, "name": name, "category": "Oils"})
    assert saved.status == 200 and saved.path == "/garage/", \
        f"{saved.status} {saved.url}\n{saved.body[:2000]}\n{server.logs()}"
    assert name in saved.body


def _read_garage(browser: Browser, server: Server, times: int) -> list[str]:
    bodies = []
    for _ in range(times):
        page = browser.get(server.base + "/garage/")
        assert page.status == 200 and page.path == "/garage/", \
            f"{page.status} {page.url} via {server.name}\n{page.body[:2000]}"
        bodies.append(page.body)
    return bodies


def test_processes_share_sessions_and_data(database_url: str, tmp_path: Path) -> None:
    a = Server("A", workers=2, database_url=database_url, logdir=tmp_path)
    b = Server("B", workers=1, database_url=database_url, logdir=tmp_path)
    try:
        a.start()
        b.start()
        deadline = time.monotonic() + BOOT_TIMEOUT
        a.wait_healthy(deadline)
        b.wait_healthy(deadline)

        # Sign up through A's real form: GET it for the CSRF token, POST, follow the 303.
        browser = Browser()
        signup = browser.get(a.base + "/auth/signup")
        assert signup.status == 200, signup.body[:2000]
        fields = form_fields(signup.body, "/auth/signup")
        assert fields.get("csrf_token"), fields
        password = "gunicorn-racer-2026"
        garage = browser.post(a.base + "/auth/signup", {
            **fields, "username": "gunny", "email": "gunny@example.com",
            "password": password, "password_confirm": password,
        })
        assert garage.status == 200 and garage.path == "/garage/", \
            f"{garage.status} {garage.url}\n{garage.body[:2000]}\n{a.logs()}"

        # A write through A is read back through B (another process, another pool) at once,
        # with the session cookie A signed; and through A's own workers too.
        first = "Pitlane Oils Gunicorn"
        _add_sponsor(browser, a, first)
        for body in _read_garage(browser, b, 20) + _read_garage(browser, a, 10):
            assert first in body

        # And the other way round: written through B, read through A.
        second = "Backstretch Tyres Gunicorn"
        _add_sponsor(browser, b, second)
        for body in _read_garage(browser, a, 10):
            assert first in body and second in body

        # WEB_CONCURRENCY was honoured, and each worker opened its own pool after the fork
        # (no preload): at least one connection per worker process (2 in A + 1 in B).
        deadline = time.monotonic() + 10
        while len(a.worker_pids()) != 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(a.worker_pids()) == 2, a.logs()
        assert len(b.worker_pids()) == 1, b.logs()
        with psycopg.connect(database_url, autocommit=True) as conn:
            others = conn.execute(
                "SELECT count(DISTINCT pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            ).fetchone()
        assert others is not None and others[0] >= 3, others
    finally:
        a.stop()
        b.stop()


def _start(*servers: Server) -> None:
    for server in servers:
        server.start()
    deadline = time.monotonic() + BOOT_TIMEOUT
    for server in servers:
        server.wait_healthy(deadline)


def _post_form(browser: Browser, server: Server, page_path: str, action: str,
               data: dict[str, str]) -> Page:
    """GET the page for the form's CSRF token, then POST the form with ``data``."""
    fields = form_fields(browser.get(server.base + page_path).body, action)
    assert fields.get("csrf_token"), fields
    return browser.post(server.base + action, {**fields, **data})


def test_processes_share_revocations_and_login_counts(database_url: str, tmp_path: Path) -> None:
    """Logout through one process ends a copied login in every process; failed logins
    through several processes are counted once, in the database (issue 12, 7 and 8)."""
    limits = {"APEX_LOGIN_FREE_PER_ACCOUNT": "5"}
    a = Server("A", workers=2, database_url=database_url, logdir=tmp_path, env=limits)
    b = Server("B", workers=1, database_url=database_url, logdir=tmp_path, env=limits)
    try:
        _start(a, b)
        browser = Browser()
        password = "gunicorn-racer-2026"
        garage = _post_form(browser, a, "/auth/signup", "/auth/signup", {
            "username": "gunny", "email": "gunny@example.com",
            "password": password, "password_confirm": password})
        assert garage.path == "/garage/", f"{garage.status}\n{a.logs()}"

        thief = Browser()  # copies of every cookie (session, remember-me), stolen
        for cookie in browser.jar:
            thief.jar.set_cookie(cookie)
        assert thief.get(b.base + "/garage/").path == "/garage/"
        out = _post_form(browser, b, "/garage/", "/auth/logout", {})
        assert out.path == "/auth/login", f"{out.status}\n{b.logs()}"
        for server in (a, a, b, b):
            assert thief.get(server.base + "/garage/").path == "/auth/login"

        stranger = Browser()
        for server in (a, b, a, b):
            tried = _post_form(stranger, server, "/auth/login", "/auth/login",
                               {"login": "gunny", "password": "not-it"})
            assert tried.status == 422, f"{tried.status}\n{server.logs()}"
        with psycopg.connect(database_url) as conn:
            counts = conn.execute("SELECT split_part(key, ':', 1), failures "
                                  "FROM login_attempts ORDER BY 1").fetchall()
        assert counts == [("account", 4), ("address", 4)]
    finally:
        a.stop()
        b.stop()
