"""Runs made on the phone and keys across racers, over HTTP on both stores (issue 16):
a run started with the phone's id takes laps at that id before the server answered,
replays store nothing twice, and racer B never gets anything of racer A's by replaying
A's key or run id. Key lifetime: an outbox may replay a week later."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from apex.request_keys import REQUEST_KEY_DAYS, key_is_new
from apex.write_once import REPLAYED
from tests.conftest import hx, racer, store_of
from tests.exactly_once_helpers import new_key, race_day


@pytest.fixture
def alices(app, alice):
    return race_day(app)


def start(client, event, run_id, key, name="Q1"):
    return client.post(f"/race/{event.id}/runs", headers=hx("runs"),
                       data={"name": name, "run_id": run_id, "request_key": key})


def laps(client, event, run_id, key, text="30.5 30.4 30.6"):
    return client.post(f"/race/{event.id}/runs/{run_id}/laps", headers=hx("runs"),
                       data={"laps": text, "request_key": key})


def test_a_run_started_with_the_phones_id_takes_laps_there_once(app, alice, alices):
    event, _ = alices
    run_id, start_key, laps_key = new_key(), new_key(), new_key()
    # offline: both queued; then sent in order, and the whole outbox replayed again
    for _ in range(2):
        assert start(alice, event, run_id, start_key).status_code == 200
        assert laps(alice, event, run_id, laps_key).status_code == 200
    runs = store_of(app).list_runs(racer(app), event.id)
    assert [r.name for r in runs] == ["Practice 1", "Q1"] and runs[-1].id == run_id
    assert [str(lap.seconds) for lap in runs[-1].laps] == ["30.500", "30.400", "30.600"]


def test_the_start_form_carries_a_fresh_run_id_kept_through_errors(alice, alices):
    event, _ = alices
    page = alice.get(f"/race/{event.id}").text
    form = page[page.index('class="start-run"'):]
    ids = re.findall(r'name="run_id" value="([0-9a-f-]{36})"', form[:form.index("</form>")])
    assert len(ids) == 1 and ids[0] not in {r for r in re.findall(r'/runs/([0-9a-f-]{36})', page)}
    kept = alice.post(f"/race/{event.id}/runs", headers=hx("runs"),
                      data={"name": "", "run_id": ids[0], "request_key": new_key()})
    assert kept.status_code == 422 and f'name="run_id" value="{ids[0]}"' in kept.text


def test_a_run_id_that_is_no_uuid_is_422(app, alice, alices):
    event, _ = alices
    response = start(alice, event, "run-1", new_key())
    assert response.status_code == 422 and "this run&#39;s id is not one" in response.text
    assert len(store_of(app).list_runs(racer(app), event.id)) == 1


def test_the_same_run_id_sent_again_with_another_key_is_that_run(app, alice, alices):
    event, _ = alices
    run_id = new_key()
    start(alice, event, run_id, new_key())
    again = start(alice, event, run_id, new_key())
    assert again.status_code == 200 and "Already started." in again.text
    assert len(store_of(app).list_runs(racer(app), event.id)) == 2


def test_racer_b_replaying_a_key_or_run_id_of_alices_gets_nothing_of_hers(app, client,
                                                                          alice, auth,
                                                                          alices):
    event, run = alices
    run_id, key, note_key = new_key(), new_key(), new_key()
    start(alice, event, run_id, key)
    laps(alice, event, run_id, key)
    alice.post(f"/race/{event.id}/notes", data={"note": "alice's", "request_key": note_key},
               headers=hx("note-box"))
    store = store_of(app)
    alice_runs = store.list_runs(racer(app), event.id)
    auth.logout()
    auth.signup("bob")
    bobs_event, _ = race_day(app, "bob")
    # her run id on bob's event, with her key: refused, her run untouched, never his
    taken = start(client, bobs_event, run_id, key)
    assert taken.status_code == 422 and REPLAYED not in taken.headers
    assert "id is taken" in taken.text
    # her laps URL with her key: not found (his key is new, her run is not his)
    assert laps(client, event, run_id, key).status_code == 404
    assert client.post(f"/race/{event.id}/runs/{run.id}/confidence", headers=hx("runs"),
                       data={"confidence": "1", "request_key": key}).status_code == 404
    # her note's key on his event: his own note, stored
    mine = client.post(f"/race/{bobs_event.id}/notes", headers=hx("note-box"),
                       data={"note": "bob's", "request_key": note_key})
    assert mine.status_code == 200 and REPLAYED not in mine.headers
    assert [log.note for log in store.list_event_logs(racer(app, "bob"), bobs_event.id)] == [
        "bob's"]
    assert store.list_runs(racer(app), event.id) == alice_runs
    assert [log.note for log in store.list_event_logs(racer(app), event.id)] == ["alice's"]
    assert [r.name for r in store.list_runs(racer(app, "bob"), bobs_event.id)] == [
        "Practice 1"]


def test_keys_outlive_a_week():
    now = datetime.now(UTC)
    assert REQUEST_KEY_DAYS >= 7
    assert not key_is_new(now - timedelta(days=7), now)
    assert key_is_new(now - timedelta(days=REQUEST_KEY_DAYS, minutes=1), now)
    assert key_is_new(None, now)


def test_a_week_old_key_still_stops_a_replay(app, alice, alices, backend):
    """The stored key aged 7 days (PostgreSQL's created_at set back; the CSV row
    rewritten): the replay is still a replay."""
    event, _ = alices
    key = new_key()
    send = {"note": "old", "request_key": key}
    alice.post(f"/race/{event.id}/notes", data=send, headers=hx("note-box"))
    store = store_of(app)
    week_ago = datetime.now(UTC) - timedelta(days=7)
    if backend == "postgres":
        with store._tx() as conn:
            conn.execute("UPDATE request_keys SET created_at = %(at)s WHERE key = %(key)s",
                         {"at": week_ago, "key": key})
    else:
        row = store._tables.first("request_keys", key=key)
        store._tables.insert("request_keys", {**row, "created_at": week_ago})
    replay = alice.post(f"/race/{event.id}/notes", data=send, headers=hx("note-box"))
    assert replay.headers.get(REPLAYED) == "1"
    assert [log.note for log in store.list_event_logs(racer(app), event.id)] == ["old"]
