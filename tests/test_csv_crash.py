"""The CSV store under kill -9: the real gunicorn server, killed again and again.

A racer's notes are saved by several client threads through the real form post
(CSRF token, one-time request key), each retrying the same key until the server
answers, as a phone does after a lost answer. Meanwhile the whole server (master
and workers) is killed with SIGKILL at random moments, 20+ times, and restarted.
At the end every table file and the journal parse, every answered note is stored
exactly once and every unanswered one at most once. The journal limit is tiny, so
the server compacts all the time and kills land in compactions too.
"""

from __future__ import annotations

import csv
import os
import random
import signal
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from pathlib import Path

import pytest

from apex.catalogue import PRESETS
from apex.stores import csv_journal
from apex.stores.csv import CsvStore
from apex.tables import TABLES
from tests.conftest import CAR, EVENT
from tests.test_gunicorn import BOOT_TIMEOUT, Browser, Server, form_fields

KILLS = 22
CLIENTS = 4
BUDGET = 70.0  # seconds for the kill loop; the test stays under 90 s


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # the 303 after a save is the answer: do not fetch the page


def _post(url: str, fields: dict[str, str], cookie: str) -> int:
    """The answer's status, or 0 when the server gave none (killed mid-request)."""
    opener = urllib.request.build_opener(_NoRedirect)
    request = urllib.request.Request(url, data=urllib.parse.urlencode(fields).encode(),
                                     method="POST", headers={"Cookie": cookie})
    try:
        with opener.open(request, timeout=5) as resp:
            return resp.status
    except urllib.error.HTTPError as e:
        return e.code
    except OSError:
        return 0


def _sign_up(server: Server, data_dir: Path) -> tuple[str, str, dict[str, str]]:
    """A racer with a car and an event; the session cookie and the note form's fields."""
    browser = Browser()
    signup = browser.get(server.base + "/auth/signup")
    password = "crash-racer-2026"
    page = browser.post(server.base + "/auth/signup", {
        **form_fields(signup.body, "/auth/signup"), "username": "crashy",
        "email": "crashy@example.com", "password": password, "password_confirm": password})
    assert page.status == 200, page.body[:2000]
    store = CsvStore(data_dir)
    user = store.find_user("crashy")
    assert user is not None
    car = store.add_car(user.racer_id, CAR, PRESETS["Tekno NB48 2.2"])
    assert car is not None
    event = store.start_event(user.racer_id, {**EVENT, "car_id": car.id},
                              PRESETS["Tekno NB48 2.2"])
    assert event is not None
    race = browser.get(f"{server.base}/race/{event.id}")
    assert race.status == 200, race.body[:2000]
    fields = form_fields(race.body, f"/race/{event.id}/notes")
    cookie = "; ".join(f"{c.name}={c.value}" for c in browser.jar)
    return event.id, cookie, fields


def _every_file_parses(data_dir: Path) -> None:
    for table, columns in TABLES.items():
        with open(data_dir / f"{table}.csv", newline="", encoding="utf-8") as f:
            reader = csv.reader(f)
            assert tuple(next(reader)) == columns
            assert all(len(row) == len(columns) for row in reader), table
    journal = data_dir / csv_journal.NAME
    if journal.exists():
        data = journal.read_bytes()
        csv_journal.records(data[csv_journal.HEADER_SIZE:])  # a torn tail is allowed


@pytest.mark.slow
def test_kill_9_over_and_over_loses_no_answered_note_and_stores_none_twice(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    CsvStore(data_dir).upgrade()
    # --preload: the app is imported once, then forked, so a restart is quick enough
    # for 20+ kills in the time budget (and a kill still takes master and workers).
    server = Server("csv", workers=2, database_url="", logdir=tmp_path,
                    env={"APEX_DATA_DIR": str(data_dir), "GUNICORN_CMD_ARGS": "--preload",
                         # a tiny journal limit: the kills land in compactions too
                         "APEX_CSV_COMPACT_BYTES": "3000"})
    answered: list[str] = []
    tried: list[str] = []
    stop = threading.Event()
    errors: list[BaseException] = []
    try:
        server.start()
        server.wait_healthy(time.monotonic() + BOOT_TIMEOUT)
        event_id, cookie, fields = _sign_up(server, data_dir)
        url = f"{server.base}/race/{event_id}/notes"

        def client(n: int) -> None:
            try:
                i = 0
                while not stop.is_set():
                    note = f"client {n} note {i}"
                    tried.append(note)
                    form = {**fields, "note": note, "request_key": str(uuid.uuid4())}
                    while not stop.is_set():  # the same key until the server answers
                        status = _post(url, form, cookie)
                        if status in (200, 303):
                            answered.append(note)
                            break
                        assert status in (0, 502, 503), f"{status} for {note}"
                        time.sleep(0.02)
                    i += 1
            except BaseException as exc:  # reported below, not lost in the thread
                errors.append(exc)

        threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
        for t in threads:
            t.start()
        rng = random.Random()
        deadline = time.monotonic() + BUDGET
        kills = 0
        while kills < KILLS and time.monotonic() < deadline:
            time.sleep(rng.uniform(0.05, 0.4))
            assert server.proc is not None
            os.killpg(server.proc.pid, signal.SIGKILL)  # master and workers at once
            server.proc.wait(timeout=10)
            kills += 1
            server.start()
            server.wait_healthy(time.monotonic() + BOOT_TIMEOUT)
        time.sleep(0.5)  # a last stretch of saves on a running server
        stop.set()
        for t in threads:
            t.join(timeout=20)
        print(f"{kills} kills, {len(answered)} notes answered, {len(tried)} tried")
        assert errors == []
        assert kills >= 20, f"only {kills} kills in {BUDGET} s"
    finally:
        stop.set()
        if server.proc is not None and server.proc.poll() is None:
            os.killpg(server.proc.pid, signal.SIGKILL)
            server.proc.wait(timeout=10)

    _every_file_parses(data_dir)
    journal = data_dir / csv_journal.NAME
    assert not journal.exists() or journal.stat().st_size < 3000 + 2000  # it was compacted
    store = CsvStore(data_dir)
    user = store.find_user("crashy")
    assert not list(data_dir.glob(".*.tmp"))  # a crash's temp files are swept
    assert user is not None
    stored = Counter(log.note for log in store.list_event_logs(
        user.racer_id, event_id, limit=100_000))
    assert answered and len(answered) > KILLS
    assert {note: stored[note] for note in answered} == dict.fromkeys(answered, 1)
    assert all(count == 1 for count in stored.values()), stored.most_common(3)
    assert set(stored) <= set(tried)
    store.compact()  # and once compacted, the table files hold the same
    _every_file_parses(data_dir)
    again = Counter(log.note for log in CsvStore(data_dir).list_event_logs(
        user.racer_id, event_id, limit=100_000))
    assert again == stored
