#!/usr/bin/env python3
"""Race day under load: gunicorn + PostgreSQL on this machine, loopback only, bounded.

Starts a throwaway PostgreSQL (tests/pg_server.py), seeds ``--racers`` racers through the
store (a car, an open event of ``--runs`` runs x ``--laps`` laps, notes), then:

1. **round trips**: one render of each race-day page in this process, every message to
   PostgreSQL traced (libpq trace): round trips (each Sync or simple Query is one, plus
   the pool's check per connection taken) and connections taken per page;
2. starts ``gunicorn wsgi:app -c gunicorn.conf.py`` (bound to 127.0.0.1, access log to a
   file) with ``--workers`` x ``--threads``;
3. **race**: ``--race-clients`` clients ask for Race Support back to back for
   ``--race-seconds``: renders/s, p50/p95/p99, and the server CPU per render (gunicorn's
   processes and PostgreSQL's, read from /proc before and after), and how the requests
   spread over the workers; ``--race-rounds`` rounds, each with new connections, and
   their median (see ``race_rounds``: one round is luck);
4. **day**: every racer, logged in through the real form, does a race day (tab taps,
   notes, symptoms, runs, laps, setup saves) with ``--think`` s between taps, for
   ``--seconds``: throughput, p50/p95/p99 and errors per route, CPU per request.

Before it all, the **host's speed** (a fixed brotli and a fixed Python loop), and during
every round and the day, the loop's speed sampled five times a second (``HostProbe``): on a
shared VM the same code costs up to three times the CPU from one moment to the next, so
each figure is printed with the speed the host had while it was taken.

Figures, not assertions: exits 0 (1 if the server would not start). The client runs on
the same cores as the server, so the latencies include its own share of the CPU; the CPU
per request is the server's alone. ``APEX_ROOT=/other/checkout`` runs another checkout's
app (its wsgi.py and gunicorn.conf.py) under the same bench, for before/after figures.
"""

from __future__ import annotations

import argparse
import http.client
import importlib.util
import os
import platform
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

ROOT = Path(os.environ.get("APEX_ROOT") or Path(__file__).resolve().parent.parent).resolve()
sys.path.insert(0, str(ROOT))  # the apex package and tests.pg_server

PASSWORD = "load-bench-racer-1"
TICK = os.sysconf("SC_CLK_TCK")
TIMEOUT = 15.0  # seconds one request may take before the client gives up on it


# --- seeding ---------------------------------------------------------------------------------

@dataclass
class Racer:
    username: str
    racer_id: str
    event_id: str


def seed(url: str, racers: int, runs: int, laps: int, first: int = 0) -> list[Racer]:
    """``racers`` racers with a car and an open event each, straight through the store."""
    from werkzeug.security import generate_password_hash

    from apex.catalogue import PRESETS
    from apex.db import make_store
    from apex.demo import seed_race_day

    store = make_store({"DATABASE_URL": url})
    try:
        store.upgrade()
        password_hash = generate_password_hash(PASSWORD)  # one scrypt hash for all
        made = []
        for i in range(first, first + racers):
            user = store.create_user(f"racer{i}", f"racer{i}@example.com", password_hash)
            car = store.add_car(user.racer_id, {"brand": "Tekno", "model": "NB48 2.2",
                                                "nickname": f"Car {i}",
                                                "class_name": "1/8 Buggy"},
                                PRESETS["Tekno NB48 2.2"])
            assert car is not None
            event_id = seed_race_day(store, user.racer_id, car.id, runs=runs,
                                     laps_per_run=laps)
            made.append(Racer(user.username, user.racer_id, event_id))
        return made
    finally:
        store.close()


# --- the host's speed ---------------------------------------------------------------------------

LOOP = 200_000  # the host speed's loop: about 30 ms on this VM at its usual speed


def _python_loop_ms(size: int = LOOP) -> float:
    """ms CPU (this thread's) of a fixed pure-Python loop of ``size`` turns (integer maths
    and a dict, as a render does), scaled to ``LOOP`` turns."""
    start, total, seen = time.thread_time(), 0, {}
    for i in range(size):
        total += i * i % 7
        seen[i % 1000] = str(i)
    return (time.thread_time() - start) * 1e3 * LOOP / size


def host_speed() -> tuple[float, float]:
    """How fast this machine is now, apart from APEX: ms CPU of one brotli (quality 4, as
    the app compresses) of a fixed 37 KB of HTML, and of a fixed pure-Python loop; the
    median of 5. A shared VM's speed changes by the hour (DEPLOY.md): these say how fast it
    was while the figures were taken, to compare runs made at different times."""
    import brotli

    rows = [f'<li class="lap"><span class="n">{i}</span><span class="t">{20 + i % 9}.'
            f'{i * 37 % 1000:03d}</span><button name="flag" value="out" '
            f'aria-label="Leave out lap {i}">out</button></li>' for i in range(400)]
    html = "\n".join(rows).encode()[:37_000]

    def one() -> tuple[float, float]:
        start = time.process_time()
        for _ in range(50):
            brotli.compress(html, quality=4)
        return (time.process_time() - start) / 50 * 1e3, _python_loop_ms()

    samples = [one() for _ in range(5)]
    return (statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples))


class HostProbe:
    """The host's speed while a round runs: a thread times a small slice of the loop
    (some 1.5 ms, in ``LOOP`` units) five times a second, about 1 % of one CPU. This VM's
    CPUs change speed within seconds, up to threefold (DEPLOY.md), so a round's CPU figures
    are read against the speed the host had during that round, not before it."""

    def __init__(self) -> None:
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            self.samples.append(_python_loop_ms(LOOP // 20))

    def __enter__(self) -> HostProbe:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def summary(self) -> str:
        if not self.samples:
            return "no sample"
        ordered = sorted(self.samples)
        return (f"the loop's median {statistics.median(ordered):.0f} ms (10th-90th percentile "
                f"{percentile(ordered, .1):.0f}-{percentile(ordered, .9):.0f} ms, lower is "
                f"faster)")


# --- 1. round trips per page -----------------------------------------------------------------

def _own(name: str) -> Any:
    """This bench's own ``tests/<name>.py`` (an older checkout under APEX_ROOT may lack it)."""
    path = Path(__file__).resolve().parent.parent / "tests" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"bench_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def cpu_per_render(client: Any, path: str, n: int = 40) -> float:
    """Seconds of this process's CPU per render of ``path`` (warm, in process)."""
    client.get(path)
    start = time.process_time()
    for _ in range(n):
        client.get(path)
    return (time.process_time() - start) / n


def round_trips(url: str, racer: Racer) -> list[tuple[str, int, int, float]]:
    """(page, round trips, connections taken, CPU s) for one render of each race-day page
    (the CPU: this process's, the app's part without gunicorn, averaged over 40)."""
    from apex import create_app

    traced = _own("pg_trace").traced
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_ENABLED": False, "APEX_LOGIN_FREE_PER_ADDRESS": 10**6})
    store = app.extensions["apex.store"]
    pool = store._pool
    client = app.test_client()
    client.post("/auth/login", data={"login": racer.username, "password": PASSWORD})
    pages = [("Race Support", f"/race/{racer.event_id}"), ("Race tab", "/race/"),
             ("Event setup", f"/event/{racer.event_id}"),
             ("Advisor", f"/advisor/{racer.event_id}"), ("Garage", "/garage/")]
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, path in pages:
            client.get(path)  # warm: templates compiled, the pool filled
            trace = Path(tmp) / "trace.txt"
            with trace.open("w") as sink:
                taken = traced(pool, sink.fileno(), lambda path=path: client.get(path))
            status = client.get(path).status_code
            sent = re.findall(r"^F\t\d+\t(Sync|Query)\b", trace.read_text(), re.M)
            # Each connection taken was first checked by the pool (one untraced round trip).
            out.append((f"{name} ({status})", len(sent) + taken, taken,
                        cpu_per_render(client, path)))
    store.close()
    return out


# --- the server --------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(url: str, workers: int, threads: int, max_requests: int | None,
             log: Path) -> Iterator[tuple[int, int]]:
    """(port, master pid) of a running ``gunicorn wsgi:app -c gunicorn.conf.py``."""
    port = free_port()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("APEX_", "GUNICORN_", "FLASK_"))
           and k not in ("DATABASE_URL", "SECRET_KEY", "WEB_CONCURRENCY", "PORT")}
    env.update({"DATABASE_URL": url, "SECRET_KEY": "load-bench-secret", "PORT": str(port),
                "WEB_CONCURRENCY": str(workers), "GUNICORN_THREADS": str(threads),
                "APEX_POOL_MAX": str(threads + 1),
                # Every simulated racer logs in from 127.0.0.1.
                "APEX_LOGIN_FREE_PER_ADDRESS": "1000000", "APEX_LOGIN_LIMIT": "100000 per minute"})
    if max_requests is not None:
        env["GUNICORN_MAX_REQUESTS"] = str(max_requests)
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "wsgi:app", "-c", "gunicorn.conf.py",
             "--bind", f"127.0.0.1:{port}", "--access-logfile", str(log.with_suffix(".access"))],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/livez")
                if conn.getresponse().status == 200 and len(children(proc.pid)) >= workers:
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"bench_load: gunicorn did not start; see {log}")
            time.sleep(0.2)
        yield port, proc.pid
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def per_worker(access_log: Path, skip: int = 0) -> str:
    """How the requests after the first ``skip`` spread over the workers (the access log's
    last field is the pid): keep-alive connections stay with the worker that accepted them."""
    counts: dict[str, int] = defaultdict(int)
    for line in access_log.read_text().splitlines()[skip:]:
        counts[line.rsplit(" ", 1)[-1]] += 1
    return " / ".join(str(n) for n in sorted(counts.values(), reverse=True))


def children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry))
    return found


def cpu_seconds(root: int) -> float:
    """CPU used by ``root`` and its children, those reaped (cutime) and those alive."""
    total = 0.0
    for pid in (root, *children(root)):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        utime, stime, cutime, cstime = (int(x) for x in fields[11:15])
        total += (utime + stime + (cutime + cstime if pid == root else 0)) / TICK
    return total


# --- the client --------------------------------------------------------------------------------

@dataclass
class Stats:
    """Latencies (s) and errors per route."""

    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    samples: list[str] = field(default_factory=list)  # the first few errors, to say why
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, route: str, seconds: float, ok: bool, why: str = "") -> None:
        with self.lock:
            self.times[route].append(seconds)
            if not ok:
                self.errors[route] += 1
                if len(self.samples) < 5:
                    self.samples.append(f"{route}: {why}")


class Browser:
    """One racer's phone: a keep-alive connection, its cookies and CSRF token."""

    def __init__(self, port: int, stats: Stats) -> None:
        self.port, self.stats = port, stats
        self.cookies: dict[str, str] = {}
        self.token = ""
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)

    def call(self, route: str, method: str, path: str, form: dict[str, str] | None = None,
             headers: dict[str, str] | None = None, ok: tuple[int, ...] = (200,)) -> str:
        # As a phone asks: the server's compression is part of its CPU per request.
        sent = {"Accept-Encoding": "br, gzip", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            if self.token:
                sent["X-CSRFToken"] = self.token
        start = time.perf_counter()
        try:
            try:
                self.conn.request(method, path, body=body, headers=sent)
                response = self.conn.getresponse()
            except (ConnectionError, http.client.RemoteDisconnected):
                # The server closed the idle keep-alive connection (gunicorn's keepalive):
                # a browser sends the request again on a new one, and so do we.
                self.conn.close()
                self.conn.request(method, path, body=body, headers=sent)
                response = self.conn.getresponse()
            text = decode(response)
            status = response.status
        except (OSError, http.client.HTTPException) as exc:
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
            self.stats.add(route, time.perf_counter() - start, False, f"no answer: {exc!r}")
            return ""
        self.stats.add(route, time.perf_counter() - start, status in ok, f"{status} {path}")
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        if token := re.search(r'name="csrf_token" value="([^"]+)"', text):
            self.token = token.group(1)
        return text

    def login(self, username: str) -> None:
        self.call("GET /auth/login", "GET", "/auth/login")
        self.call("POST /auth/login", "POST", "/auth/login",
                  {"csrf_token": self.token, "login": username, "password": PASSWORD},
                  ok=(302, 303))
        self.call("GET / (landing)", "GET", "/")  # the logged-in session's CSRF token


def decode(response: http.client.HTTPResponse) -> str:
    raw = response.read()
    encoding = response.getheader("Content-Encoding", "")
    if encoding == "br":
        import brotli

        raw = brotli.decompress(raw)
    elif encoding == "gzip":
        import gzip

        raw = gzip.decompress(raw)
    return raw.decode()


TAB = {"HX-Request": "true", "HX-Boosted": "true"}  # a tab tap (hx-boost)


def hx(target: str) -> dict[str, str]:
    return {"HX-Request": "true", "HX-Target": target}


class SetupForm(HTMLParser):
    """The fields of the event setup form, as the browser would send them."""

    def __init__(self) -> None:
        super().__init__()
        self.inside = False
        self.fields: dict[str, str] = {}
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.inside = a.get("id") == "event-setup"
        elif self.inside and tag == "input" and a.get("name") and \
                a.get("type") not in ("submit", "button", "checkbox", "radio"):
            self.fields[a["name"]] = a.get("value", "")
        elif self.inside and tag == "select":
            self._select = a.get("name")
            self.fields.setdefault(self._select or "", "")
        elif self.inside and tag == "option" and self._select and "selected" in a:
            self.fields[self._select] = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None


def race_day(browser: Browser, racer: Racer, think: Callable[[], bool]) -> None:
    """Tap through a race day until ``think()`` says time is up."""
    e = racer.event_id
    laps = ", ".join(f"{31.8 + random.random():.3f}" for _ in range(12))
    for n in range(1, 10**6):
        taps: list[tuple[str, str, str, dict[str, str] | None, dict[str, str]]] = [
            ("GET /race/ (tab)", "GET", "/race/", None, TAB),
            ("POST note", "POST", f"/race/{e}/notes",
             {"note": f"Loose on entry, lap {n}", "request_key": str(uuid.uuid4())},
             hx("notes")),
            ("POST symptom", "POST", f"/race/{e}/symptoms", {"symptom": "push_entry"},
             hx("symptoms")),
        ]
        for route, method, path, form, headers in taps:
            browser.call(route, method, path, form, headers)
            if not think():
                return
        page = browser.call("POST run", "POST", f"/race/{e}/runs",
                            {"name": f"Load {n}", "request_key": str(uuid.uuid4())}, hx("runs"))
        if not think():
            return
        if run := re.search(rf'action="/race/{e}/runs/([0-9a-f-]+)/laps"', page):
            browser.call("POST laps", "POST", f"/race/{e}/runs/{run.group(1)}/laps",
                         {"laps": laps, "request_key": str(uuid.uuid4())}, hx("runs"))
            if not think():
                return
        browser.call("GET /event/ (tab)", "GET", "/event/", headers=TAB)
        if not think():
            return
        page = browser.call("GET /event/<id>", "GET", f"/event/{e}", headers=TAB)
        form = SetupForm()
        form.feed(page)
        if form.fields:
            fields = dict(form.fields)
            fields["SO_F"] = "450" if fields.get("SO_F") != "450" else "425"
            if not think():
                return
            browser.call("POST setup", "POST", f"/event/{e}/setup", fields,
                         hx("event-setup"), ok=(200, 409))
        if not think():
            return
        browser.call("GET /advisor/ (tab)", "GET", "/advisor/", headers=TAB)
        if not think():
            return
        browser.call("GET /garage/ (tab)", "GET", "/garage/", headers=TAB)
        if not think():
            return


def percentile(sorted_times: list[float], q: float) -> float:
    return sorted_times[min(len(sorted_times) - 1, int(q * len(sorted_times)))]


def table(stats: Stats, seconds: float) -> list[str]:
    lines = [f"{'route':<24}{'n':>6}{'err':>5}{'/s':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"]
    every: list[float] = []
    for route in sorted(stats.times):
        t = sorted(stats.times[route])
        every += t
        lines.append(f"{route:<24}{len(t):>6}{stats.errors[route]:>5}{len(t) / seconds:>7.1f}"
                     f"{percentile(t, .5) * 1e3:>9.1f}{percentile(t, .95) * 1e3:>9.1f}"
                     f"{percentile(t, .99) * 1e3:>9.1f}")
    every.sort()
    lines += [f"  error: {sample}" for sample in stats.samples]
    if every:
        lines.append(f"{'all':<24}{len(every):>6}{sum(stats.errors.values()):>5}"
                     f"{len(every) / seconds:>7.1f}{percentile(every, .5) * 1e3:>9.1f}"
                     f"{percentile(every, .95) * 1e3:>9.1f}{percentile(every, .99) * 1e3:>9.1f}")
    return lines


def logged_in(port: int, racers: list[Racer]) -> list[Browser]:
    """A browser per racer, logged in through the form. Outside what is measured: each
    login checks a scrypt hash, some 80 ms of server CPU, which is not a render's."""
    browsers = [Browser(port, Stats()) for _ in racers]
    for browser, racer in zip(browsers, racers, strict=True):
        browser.login(racer.username)
    return browsers


def run_clients(browsers: list[Browser], racers: list[Racer], seconds: float,
                body: Callable[[Browser, Racer, Callable[[], bool]], None],
                think: float, stats: Stats) -> None:
    """Run ``body`` for each racer (in its logged-in browser) for ``seconds``."""
    for browser in browsers:
        browser.stats = stats
    go = threading.Event()
    end = [0.0]

    def thinker() -> bool:
        if think:
            time.sleep(random.uniform(0.5 * think, 1.5 * think))
        return time.monotonic() < end[0]

    def one(browser: Browser, racer: Racer) -> None:
        go.wait()
        if think:  # spread the racers' first taps over one think time
            time.sleep(random.uniform(0, think))
        body(browser, racer, thinker)

    threads = [threading.Thread(target=one, args=pair, daemon=True)
               for pair in zip(browsers, racers, strict=True)]
    for t in threads:
        t.start()
    end[0] = time.monotonic() + seconds
    go.set()
    for t in threads:
        t.join(seconds + 2 * TIMEOUT)


def race_support_loop(browser: Browser, racer: Racer, more: Callable[[], bool]) -> None:
    while True:
        browser.call("GET /race/<id>", "GET", f"/race/{racer.event_id}")
        if not more():
            return


def measured(app_pid: int, db_pid: int, action: Callable[[], Stats]
             ) -> tuple[Stats, float, float, float]:
    app0, db0, t0 = cpu_seconds(app_pid), cpu_seconds(db_pid), time.monotonic()
    stats = action()
    wall = time.monotonic() - t0
    return stats, wall, cpu_seconds(app_pid) - app0, cpu_seconds(db_pid) - db0


def race_rounds(args: argparse.Namespace, port: int, app_pid: int, db_pid: int,
                clients: list[Racer], access_log: Path) -> list[float]:
    """Phase 2, ``--race-rounds`` times, each with new connections: [renders/s, app and db
    CPU ms per render], the median of the rounds.

    Each client's keep-alive connection stays with the worker that accepted it, and which
    one does is luck: two workers sharing four clients, three, or one taking them all (then
    one process, one core: about half the renders). Three processes busy on two cores cost
    each render more CPU than two. So one round says little; the median of several does,
    and each round prints how its requests spread over the workers."""
    rounds: list[tuple[float, float, float]] = []
    speeds: list[float] = []
    for number in range(1, args.race_rounds + 1):
        browsers = logged_in(port, clients)
        seen = len(access_log.read_text().splitlines())

        def race(browsers: list[Browser] = browsers) -> Stats:
            stats = Stats()
            run_clients(browsers, clients, args.race_seconds, race_support_loop, 0, stats)
            return stats

        with HostProbe() as probe:
            stats, wall, app_cpu, db_cpu = measured(app_pid, db_pid, race)
        for browser in browsers:  # the next round's clients connect anew
            browser.conn.close()
        n = max(sum(len(t) for t in stats.times.values()), 1)
        print(f"\n2.{number} Race Support back to back, {len(clients)} clients, {wall:.0f} s")
        print("\n".join(table(stats, wall)))
        print(f"renders/s {n / wall:.0f}; server CPU per render {app_cpu / n * 1e3:.1f} ms"
              f" app + {db_cpu / n * 1e3:.1f} ms PostgreSQL; requests per worker: "
              f"{per_worker(access_log, seen)}")
        print(f"host during the round: {probe.summary()}")
        speeds += probe.samples
        rounds.append((n / wall, app_cpu / n * 1e3, db_cpu / n * 1e3))
    medians = [statistics.median(r[i] for r in rounds) for i in range(3)]
    if len(rounds) > 1:
        print(f"\nmedian of {len(rounds)} rounds: renders/s {medians[0]:.0f}; server CPU per "
              f"render {medians[1]:.1f} ms app + {medians[2]:.1f} ms PostgreSQL; the host's "
              f"loop {statistics.median(speeds or [0]):.0f} ms")
    return medians


def one_server(args: argparse.Namespace, url: str, racers: list[Racer], workers: int,
               threads: int, db_pid: int, skip: set[str]
               ) -> tuple[float, float, float, float, int]:
    """Phases 2 and 3 against one gunicorn: (renders/s, app and db CPU ms per render,
    race day p99 ms, race day errors)."""
    figures = [0.0, 0.0, 0.0, 0.0, 0]
    with tempfile.TemporaryDirectory() as tmp, \
            gunicorn(url, workers, threads, args.max_requests,
                     Path(tmp) / "gunicorn.log") as (port, app_pid):
        print(f"\ngunicorn: {workers} workers x {threads} threads, max_requests "
              f"{args.max_requests if args.max_requests is not None else 'as configured'}")
        if "race" not in skip:
            figures[:3] = race_rounds(args, port, app_pid, db_pid, racers[:args.race_clients],
                                      Path(tmp, "gunicorn.access"))
        if "day" not in skip:
            browsers = logged_in(port, racers)

            def day() -> Stats:
                stats = Stats()
                run_clients(browsers, racers, args.seconds, race_day, args.think, stats)
                return stats

            with HostProbe() as probe:
                stats, wall, app_cpu, db_cpu = measured(app_pid, db_pid, day)
            n = max(sum(len(t) for t in stats.times.values()), 1)
            print(f"\n3. Race day: {len(racers)} racers, {args.think:g} s think time, "
                  f"{wall:.0f} s")
            print("\n".join(table(stats, wall)))
            print(f"requests/s {n / wall:.0f}; server CPU per request {app_cpu / n * 1e3:.1f}"
                  f" ms app + {db_cpu / n * 1e3:.1f} ms PostgreSQL")
            print(f"host during the day: {probe.summary()}")
            every = sorted(t for times in stats.times.values() for t in times)
            figures[3:] = [percentile(every, .99) * 1e3 if every else 0.0,
                           sum(stats.errors.values())]
        restarts = Path(tmp, "gunicorn.log").read_text().count("Booting worker") - workers
        print(f"\nworkers restarted during the bench: {max(restarts, 0)}")
    return figures[0], figures[1], figures[2], figures[3], int(figures[4])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--racers", type=int, default=50)
    parser.add_argument("--think", type=float, default=1.0, help="seconds between taps")
    parser.add_argument("--seconds", type=float, default=30.0, help="length of the day")
    parser.add_argument("--runs", type=int, default=20,
                        help="runs in the seeded events of the Race Support clients "
                             "(the other racers': 3)")
    parser.add_argument("--laps", type=int, default=30, help="laps in each seeded run")
    parser.add_argument("--configs", default="",
                        help="gunicorn WORKERSxTHREADS to try in turn, e.g. 5x2,3x2,2x4 "
                             "(default: gunicorn.conf.py's workers x 2)")
    parser.add_argument("--max-requests", type=int, default=None,
                        help="GUNICORN_MAX_REQUESTS (default: gunicorn.conf.py's)")
    parser.add_argument("--race-clients", type=int, default=4)
    parser.add_argument("--race-seconds", type=float, default=10.0, help="length of a round")
    parser.add_argument("--race-rounds", type=int, default=3,
                        help="rounds of phase 2, each with new connections (median printed)")
    parser.add_argument("--skip", default="", help="comma list of: trips,race,day")
    args = parser.parse_args(argv)
    args.race_clients = max(1, min(args.race_clients, 50))
    args.racers = max(args.race_clients, min(args.racers, 500))  # bounded
    args.seconds = min(args.seconds, 600)
    args.race_seconds = min(args.race_seconds, 600)
    args.race_rounds = max(1, min(args.race_rounds, 20))
    skip = set(filter(None, args.skip.split(",")))
    # gunicorn.conf.py's own default: CPUs + 1 workers (at most 8) x 2 threads.
    args.configs = args.configs or f"{min(len(os.sched_getaffinity(0)) + 1, 8)}x2"

    from tests import pg_server

    server = pg_server.start()
    try:
        url = server.create_database("apex_load")
        started = time.monotonic()
        racers = seed(url, args.race_clients, args.runs, args.laps) + \
            seed(url, args.racers - args.race_clients, 3, args.laps, first=args.race_clients)
        # The interpreter matters: see DEPLOY.md, "Which Python".
        print(f"app: {ROOT}; Python {platform.python_version()} "
              f"({os.path.realpath(getattr(sys, '_base_executable', sys.executable))})")
        squeeze, loop = host_speed()
        print(f"host speed now: brotli of 37 KB {squeeze:.2f} ms, a Python loop {loop:.0f} ms "
              "(lower is faster; DEPLOY.md has this VM's range)")
        print(f"seeded {len(racers)} racers with an open event each ({args.race_clients} of "
              f"{args.runs} runs x {args.laps} laps, the others 3 runs) in "
              f"{time.monotonic() - started:.1f} s")
        if "trips" not in skip:
            print("\n1. PostgreSQL round trips for one render (in process)")
            print(f"{'page':<28}{'round trips':>12}{'connections':>13}{'app CPU ms':>12}")
            for name, trips, taken, cpu in round_trips(url, racers[0]):
                print(f"{name:<28}{trips:>12}{taken:>13}{cpu * 1e3:>12.1f}")
        db_pid = int(Path(server.tmpdir or "", "data", "postmaster.pid").read_text().split()[0]) \
            if server.tmpdir else 0
        summary = []
        for config in args.configs.split(","):
            workers, threads = (int(x) for x in config.lower().split("x"))
            summary.append((config, *one_server(args, url, racers, workers, threads, db_pid,
                                                skip)))
        if len(summary) > 1:
            print("\nsummary: workers x threads | Race Support renders/s, CPU ms per render "
                  "(app + PostgreSQL) | race day p99 ms, errors")
            for row in summary:
                print("{:>6} | {:>6.0f} {:>6.1f} + {:<5.1f} | {:>7.0f} {:>4}".format(*row))
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
