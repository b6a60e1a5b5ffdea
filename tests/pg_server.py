"""A throwaway PostgreSQL cluster for the test session.

The PostgreSQL tests need a real server, yet must not depend on one being set
up on the machine: ``start()`` runs initdb into a temp dir and starts the
server on a free local port (as the ``postgres`` user when we are root, since
PostgreSQL refuses to run as root). With ``APEX_TEST_DATABASE_URL`` set, the
tests use that server instead and leave it running.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

from apex.tables import TABLES

ENV_URL = "APEX_TEST_DATABASE_URL"
_SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "100",
}


@dataclass
class PgServer:
    """A running server; ``base_url`` names any database on it."""

    base_url: str
    tmpdir: Path | None = None  # None: someone else's server, left running
    bindir: Path | None = None
    paused: bool = False

    def url(self, dbname: str) -> str:
        """The URL of ``dbname`` on this server."""
        return urlunsplit(urlsplit(self.base_url)._replace(path="/" + dbname))

    def _own_name(self, name: str) -> str:
        """``name``, made this pytest worker's own on a server the workers share (only
        ``APEX_TEST_DATABASE_URL``'s: each worker starts a cluster of its own otherwise),
        so one worker never drops another's database."""
        worker = os.environ.get("PYTEST_XDIST_WORKER")
        return f"{name}_{worker}" if worker and self.tmpdir is None else name

    def create_database(self, name: str) -> str:
        """A fresh, empty database (dropped first if it exists); returns its URL."""
        name = self._own_name(name)
        with psycopg.connect(self.base_url, autocommit=True) as conn:
            ident = sql.Identifier(name)
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(ident))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(ident))
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Remove a test's database (closing any connection still open to it)."""
        with psycopg.connect(self.base_url, autocommit=True) as conn:
            ident = sql.Identifier(self._own_name(name))
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(ident))

    def stop(self) -> None:
        """Stop the throwaway server at once and delete its files."""
        if self.tmpdir is None or self.bindir is None:
            return
        _run([str(self.bindir / "pg_ctl"), "stop", "-m", "immediate", "-D", str(self._data)],
             cwd=self.tmpdir, check=False)
        shutil.rmtree(self.tmpdir, ignore_errors=True)
        self.tmpdir = None

    def pause(self) -> None:
        """Stop a cluster this test owns, keeping its files and port (``resume`` brings it back).

        Fast shutdown: clients are disconnected, as when a managed database restarts.
        """
        assert self.tmpdir is not None and self.bindir is not None, "not a cluster we own"
        _run([str(self.bindir / "pg_ctl"), "stop", "-m", "fast", "-w", "-D", str(self._data)],
             cwd=self.tmpdir)
        self.paused = True

    def resume(self) -> None:
        """Start a paused cluster again, on the same port."""
        assert self.tmpdir is not None and self.bindir is not None, "not a cluster we own"
        _run([str(self.bindir / "pg_ctl"), "start", "-w", "-t", "60", "-D", str(self._data),
              "-l", str(self.tmpdir / "server.log")], cwd=self.tmpdir)
        self.paused = False

    @property
    def _data(self) -> Path:
        assert self.tmpdir is not None
        return self.tmpdir / "data"


def find_bindir() -> Path:
    """Where initdb/pg_ctl live: pg_config, the Debian layout, or PATH."""
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)
        if out.returncode == 0:
            candidates.append(Path(out.stdout.strip()))
    versions = glob.glob("/usr/lib/postgresql/*/bin")
    candidates += [Path(p) for p in sorted(versions, key=_version, reverse=True)]
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(Path(initdb).parent)
    for path in candidates:
        if (path / "initdb").is_file() and (path / "pg_ctl").is_file():
            return path
    raise RuntimeError("PostgreSQL server binaries (initdb, pg_ctl) not found")


def _version(path: str) -> tuple[int, ...]:
    name = Path(path).parent.name
    return tuple(int(x) for x in name.split(".") if x.isdigit())


def _as_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _run(cmd: list[str], *, cwd: Path, check: bool = True) -> subprocess.CompletedProcess:
    """Run a server tool, as ``postgres`` when we are root."""
    if _as_root():
        cmd = ["runuser", "-u", "postgres", "--", *cmd]
    out = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if check and out.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{out.stdout}\n{out.stderr}")
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start() -> PgServer:
    """Start a fresh cluster (or wrap ``APEX_TEST_DATABASE_URL``)."""
    existing = os.environ.get(ENV_URL)
    if existing:
        return PgServer(existing)
    return start_cluster()


def start_cluster() -> PgServer:
    """Always a fresh cluster of our own: a test may ``pause``/``resume``/``stop`` it
    without touching the session's shared server."""
    bindir = find_bindir()
    tmpdir = Path(tempfile.mkdtemp(prefix="apex-pg-"))
    if _as_root():
        shutil.chown(tmpdir, "postgres", "postgres")
    data, sock = tmpdir / "data", tmpdir / "sock"
    try:
        _run([str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
              "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"], cwd=tmpdir)
        _run(["mkdir", "-p", str(sock)], cwd=tmpdir)
        for _attempt in range(3):  # the free port may be taken before the server binds it
            port = _free_port()
            conf = dict(_SETTINGS, port=str(port), unix_socket_directories=f"'{sock}'")
            with open(data / "postgresql.auto.conf", "a", encoding="utf-8") as f:
                f.writelines(f"{k} = {v}\n" for k, v in conf.items())
            log = tmpdir / "server.log"
            out = _run([str(bindir / "pg_ctl"), "start", "-w", "-t", "60", "-D", str(data),
                        "-l", str(log)], cwd=tmpdir, check=False)
            if out.returncode == 0:
                return PgServer(f"postgresql://postgres@127.0.0.1:{port}/postgres",
                                tmpdir, bindir)
        log_text = log.read_text(errors="replace") if log.exists() else ""
        raise RuntimeError(f"PostgreSQL did not start:\n{out.stderr}\n{log_text[-2000:]}")
    except BaseException:
        shutil.rmtree(tmpdir, ignore_errors=True)
        raise


def truncate_all(url: str) -> None:
    """Empty every app table in one statement (keeps ``schema_migrations``)."""
    tables = sql.SQL(", ").join(sql.Identifier(t) for t in TABLES)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL("TRUNCATE {} RESTART IDENTITY CASCADE").format(tables))
