"""How APEX rides out a PostgreSQL outage under gunicorn: prints the figures.

    .venv/bin/python scripts/bench_outage.py [--outage 30] [--clients 8]

Starts its own throwaway PostgreSQL cluster and ``gunicorn wsgi:app -c gunicorn.conf.py``
(2 workers x 2 threads) on 127.0.0.1, signs a racer up, then stops PostgreSQL while
``--clients`` threads keep asking for the Garage (a database page) and another asks for
/livez and /healthz twice a second. Two seconds in, one worker is SIGKILLed. After
``--outage`` seconds PostgreSQL is started again and the load goes on until the Garage
answers 200. Everything is bounded in time and only talks to this machine.

Figures: time from the stop to the first 503, the 503s' latency, /livez and /healthz
latency under that load, the worker replaced, the time from the restart to the first 200,
and the lines gunicorn's stderr got during the outage (the log must not storm).
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from apex.db import make_store  # noqa: E402
from tests import pg_server  # noqa: E402
from tests.test_gunicorn import BOOT_TIMEOUT, Browser, Server, form_fields  # noqa: E402

PASSWORD = "bench-outage-2026"


def _get(url: str, cookie: str = "") -> tuple[int, float]:
    """Status and seconds taken; status 0 for no answer within 15 s."""
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    t0 = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=15) as resp:
            resp.read()
            status = resp.status
    except urllib.error.HTTPError as e:
        status = e.code
    except OSError:
        status = 0
    return status, time.monotonic() - t0


def _ms(values: list[float]) -> str:
    if not values:
        return "none"
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return (f"n={len(values)} median {statistics.median(values) * 1000:.0f} ms, "
            f"p95 {p95 * 1000:.0f} ms, max {ordered[-1] * 1000:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--outage", type=float, default=30.0, help="seconds PostgreSQL is down")
    parser.add_argument("--clients", type=int, default=8, help="threads asking for pages")
    args = parser.parse_args()

    pg = pg_server.start_cluster()
    logdir = Path(tempfile.mkdtemp(prefix="apex-bench-outage-"))
    server = Server("bench", workers=2, database_url=pg.create_database("apex_bench"),
                    logdir=logdir, env={"GUNICORN_THREADS": "2"})
    store = make_store({"DATABASE_URL": server.database_url})
    store.upgrade()
    store.close()
    try:
        server.start()
        server.wait_healthy(time.monotonic() + BOOT_TIMEOUT)
        browser = Browser()
        fields = form_fields(browser.get(server.base + "/auth/signup").body, "/auth/signup")
        page = browser.post(server.base + "/auth/signup", {
            **fields, "username": "bench", "email": "bench@example.com",
            "password": PASSWORD, "password_confirm": PASSWORD})
        assert page.status == 200, page.body[:500]
        cookie = "; ".join(f"{c.name}={c.value}" for c in browser.jar)
        run(server, pg, cookie, args.outage, args.clients, logdir / "bench.err")
    finally:
        server.stop()
        pg.stop()


def run(server: Server, pg: pg_server.PgServer, cookie: str, outage: float, clients: int,
        err_log: Path) -> None:
    results: list[tuple[float, int, float]] = []  # (start, status, seconds)
    probes: dict[str, list[tuple[float, int, float]]] = {"/livez": [], "/healthz": []}
    stop = threading.Event()
    lock = threading.Lock()

    def pages() -> None:
        for _ in range(100_000):  # bounded; stop ends it long before
            if stop.is_set():
                return
            start = time.monotonic()
            status, took = _get(server.base + "/garage/", cookie)
            with lock:
                results.append((start, status, took))
            time.sleep(0.05)

    def health() -> None:
        while not stop.is_set():
            for path, seen in probes.items():
                start = time.monotonic()
                status, took = _get(server.base + path)
                seen.append((start, status, took))
            time.sleep(0.5)

    log_start = err_log.stat().st_size
    threads = [threading.Thread(target=pages) for _ in range(clients)]
    threads.append(threading.Thread(target=health))
    for t in threads:
        t.start()
    time.sleep(1.0)
    pg.pause()
    down_at = time.monotonic()  # stopped: requests that began while it stopped may still pass
    time.sleep(2.0)
    victim = min(server.worker_pids())
    os.kill(victim, signal.SIGKILL)
    time.sleep(max(outage - 2.0, 0.0))
    up_at = time.monotonic()
    pg.resume()
    log_end = err_log.stat().st_size
    recovered = None
    deadline = up_at + 30
    while time.monotonic() < deadline and recovered is None:
        with lock:
            recovered = next((s + t for s, st, t in results if s >= up_at and st == 200), None)
        time.sleep(0.05)
    time.sleep(1.0)
    stop.set()
    for t in threads:
        t.join(timeout=20)

    during = [(s, st, t) for s, st, t in results if down_at <= s < up_at]
    first_503 = min((s + t for s, st, t in results if st == 503), default=None)
    statuses = sorted({st for _, st, _ in during})
    print(f"outage {outage:g} s, {clients} clients, 2 workers x 2 threads; worker {victim} "
          f"killed 2 s in; master alive: {server.proc is not None and server.proc.poll() is None}"
          f"; workers now {sorted(server.worker_pids())}")
    print(f"first 503 answered {(first_503 - down_at) * 1000:.0f} ms after PostgreSQL had "
          "stopped (negative: while it was stopping)" if first_503 else "no 503 seen")
    print(f"statuses during the outage: {statuses}; 503 latency: "
          f"{_ms([t for _, st, t in during if st == 503])}")
    for path, seen in probes.items():
        out = [(st, t) for s, st, t in seen if down_at <= s < up_at]
        print(f"{path} during the outage: statuses {sorted({st for st, _ in out})}, "
              f"{_ms([t for _, t in out])}")
    print(f"time from PostgreSQL restart to the first 200: "
          f"{(recovered - up_at):.2f} s" if recovered else "no 200 within 30 s of restart")
    text = err_log.read_bytes()[log_start:log_end].decode(errors="replace")
    lines = text.splitlines()
    print(f"gunicorn stderr during the outage: {len(lines)} lines "
          f"({len(lines) / outage:.1f}/s), of which psycopg pool "
          f"'error connecting': {sum('error connecting' in x for x in lines)}, "
          f"'database unreachable': {sum('database unreachable' in x for x in lines)}")


if __name__ == "__main__":
    main()
