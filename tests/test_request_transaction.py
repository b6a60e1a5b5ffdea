"""One transaction per request on PostgreSQL: the request's store calls share one pooled
connection; from the first write on, one transaction, committed when the view has
answered, rolled back on a server error; a refused write (a duplicate) leaves the rest
of the request working. A request that only reads sends no BEGIN or COMMIT. Outside a
request each store call is its own transaction (the other store tests)."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest
from flask import Flask
from flask.testing import FlaskClient

from apex.auth_setup import current_racer_id
from apex.store import DuplicateError
from tests.conftest import AuthActions, racer, running_app, store_of
from tests.pg_trace import traced
from tests.race_helpers import add_run, start_event


@pytest.fixture
def pg_app(pg_url: str) -> Iterator[Flask]:
    from tests import pg_server

    pg_server.truncate_all(pg_url)
    with running_app({"DATABASE_URL": pg_url}, WTF_CSRF_ENABLED=False) as app:
        _routes(app)
        yield app


def _routes(app: Flask) -> None:
    """Views that write and then fail, or write twice, to watch the transaction."""
    store = store_of(app)

    @app.get("/_t/sponsor-then-fail")
    def sponsor_then_fail() -> str:
        store.add_sponsor(racer(app), "Lost", "")
        raise RuntimeError("after a write")

    @app.get("/_t/duplicate-then-write")
    def duplicate_then_write() -> str:
        rid = racer(app)
        store.add_sponsor(rid, "Twice", "")
        with pytest.raises(DuplicateError):
            store.add_sponsor(rid, "Twice", "")
        store.add_sponsor(rid, "After", "")
        return "ok"

    @app.get("/_t/write-then-read")
    def write_then_read() -> str:
        rid = current_racer_id()  # the login's user read in the request, as a tab's views
        store.add_sponsor(rid, "Seen", "")
        return ",".join(s.name for s in store.list_sponsors(rid))

    @app.get("/_t/three-notes/<event_id>")
    def three_notes(event_id: str) -> str:
        for text in ("first", "second", "third"):
            store.add_event_log(racer(app), event_id, "note", text)
        return "ok"


def _checkouts(app: Flask) -> int:
    return store_of(app)._pool.get_stats().get("requests_num", 0)  # type: ignore[attr-defined]


@pytest.fixture
def alice(pg_app: Flask) -> FlaskClient:
    client = pg_app.test_client()
    AuthActions(client).signup("alice")
    return client


def test_a_race_support_render_takes_one_connection(pg_app: Flask, alice: FlaskClient) -> None:
    event = start_event(pg_app)
    add_run(pg_app, event, laps=["40.1", "40.2", "40.3", "40.4", "40.5", "40.6"])
    before = _checkouts(pg_app)
    assert alice.get(f"/race/{event.id}").status_code == 200
    # Before this change: one per store call (the login's user, the event, runs, notes,
    # car, setup, Shop Master, changes: 8).
    assert _checkouts(pg_app) - before == 1


def test_a_write_is_committed_when_the_view_answers(pg_app: Flask, alice: FlaskClient) -> None:
    assert alice.get("/_t/duplicate-then-write").status_code == 200
    names = {s.name for s in store_of(pg_app).list_sponsors(racer(pg_app))}
    assert names == {"Twice", "After"}  # the refused duplicate undid itself only


def test_a_server_error_rolls_the_request_back(pg_app: Flask, alice: FlaskClient) -> None:
    pg_app.testing = False  # the 500 page, not the exception
    assert alice.get("/_t/sponsor-then-fail").status_code == 500
    assert store_of(pg_app).list_sponsors(racer(pg_app)) == []
    assert alice.get("/garage/").status_code == 200  # the connection went back clean


def test_store_calls_outside_a_request_are_their_own(pg_app: Flask) -> None:
    store = store_of(pg_app)
    user = store.create_user("bob", "bob@example.com", "x")
    before = _checkouts(pg_app)
    store.add_sponsor(user.racer_id, "Own", "")
    assert [s.name for s in store.list_sponsors(user.racer_id)] == ["Own"]
    assert _checkouts(pg_app) - before == 2


def test_rows_added_in_one_request_keep_their_order(pg_app: Flask, alice: FlaskClient) -> None:
    """now() is the transaction's start: rows of one request would tie and list in the
    order of their random ids (sql/0016 gives them the insert's own time)."""
    event = start_event(pg_app)
    assert alice.get(f"/_t/three-notes/{event.id}").status_code == 200
    logs = store_of(pg_app).list_event_logs(racer(pg_app), event.id)
    assert [log.note for log in logs] == ["third", "second", "first"]


def _traced(app: Flask, action: Callable[[], Any]) -> str:
    """What ``action``'s requests sent PostgreSQL (libpq's trace)."""
    with tempfile.TemporaryFile("w+") as trace:
        traced(store_of(app)._pool, trace.fileno(), action)  # type: ignore[attr-defined]
        trace.seek(0)
        return trace.read()


def test_a_page_that_only_reads_sends_no_begin_or_commit(pg_app: Flask, alice: FlaskClient
                                                         ) -> None:
    event = start_event(pg_app)
    add_run(pg_app, event, laps=["40.1", "40.2", "40.3", "40.4", "40.5", "40.6"])
    sent = _traced(pg_app, lambda: alice.get(f"/race/{event.id}"))
    assert "Practice 1" in alice.get(f"/race/{event.id}").text
    assert "Parse" in sent and "BEGIN" not in sent and "COMMIT" not in sent
    # A store call outside a request (a CLI command) is one transaction, not autocommit.
    store = store_of(pg_app)
    with store._tx() as conn:  # type: ignore[attr-defined]
        assert not conn.autocommit


def test_a_write_begins_the_request_transaction(pg_app: Flask, alice: FlaskClient) -> None:
    answers = []
    sent = _traced(pg_app, lambda: answers.append(alice.get("/_t/write-then-read")))
    assert sent.count('Query\t "BEGIN"') == 1 and sent.count('Query\t "COMMIT"') == 1
    assert sent.index("INSERT INTO sponsors") > sent.index('Query\t "BEGIN"')
    assert answers[0].text == "Seen"  # the read after the write, in its transaction, saw it
    assert [s.name for s in store_of(pg_app).list_sponsors(racer(pg_app))] == ["Seen"]


def test_a_text_search_keeps_its_plan_setting_without_a_transaction(pg_url: str) -> None:
    """SET LOCAL outside a transaction is only a warning, and sets nothing: the library's
    text search opens its own when the request has none."""
    from psycopg.rows import dict_row

    from apex.models import LibraryQuery
    from apex.stores.postgres_library import search

    notices: list[str] = []
    with psycopg.connect(pg_url, autocommit=True, row_factory=dict_row) as conn:
        conn.add_notice_handler(lambda d: notices.append(d.message_primary or ""))
        search(conn, LibraryQuery(text="tekno"))
    assert notices == []
