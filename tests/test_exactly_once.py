"""Exactly-once race-day writes over HTTP, on both stores (issue 16, apex.write_once):
every race-day write sent twice with its key is stored once and the resend answers 200
with X-Apex-Replayed; a refused write does not use its key up."""

from __future__ import annotations

import pytest

from apex.write_once import REPLAYED
from tests.conftest import hx
from tests.exactly_once_helpers import WRITES, Day, lap_file, new_key, post, race_day


@pytest.fixture
def day(app, alice):
    event, run = race_day(app)
    return Day(app, alice, event, run)


def ok(response, *, replayed: bool) -> None:
    """A success as the form expects it: 200 (HTMX), 303 for a plain form."""
    assert response.status_code in (200, 303), response.text[:300]
    assert (response.headers.get(REPLAYED) == "1") is replayed


@pytest.mark.parametrize("write", WRITES, ids=lambda w: w.name)
def test_a_write_sent_twice_is_stored_once(day, write):
    write.arrange(day)
    before = write.state(day)
    key = new_key()
    first = post(day, write, write.good(day), key)
    ok(first, replayed=False)
    stored = write.state(day)
    assert stored != before, "the first send wrote nothing"
    again = post(day, write, write.good(day), key)
    ok(again, replayed=True)
    assert write.state(day) == stored
    if write.target:  # the fragment a first send returns (its element), the stored data
        assert again.status_code == 200 and "<html" not in again.text
        assert again.text.lstrip().split(">")[0] == first.text.lstrip().split(">")[0]


@pytest.mark.parametrize("write", [w for w in WRITES if w.bad], ids=lambda w: w.name)
def test_a_refused_write_keeps_its_key_for_the_fixed_resend(day, write):
    write.arrange(day)
    before = write.state(day)
    key = new_key()
    refused = post(day, write, write.bad(day), key)
    assert refused.status_code == 422 and REPLAYED not in refused.headers
    assert write.state(day) == before
    fixed = post(day, write, write.good(day), key)
    ok(fixed, replayed=False)
    assert write.state(day) != before


def test_a_replay_after_a_later_change_does_not_undo_it(day):
    """Confidence 2, then 5 from another form; the first one's replay leaves 5."""
    url = f"/race/{day.event.id}/runs/{day.run.id}/confidence"
    first = new_key()
    day.client.post(url, data={"confidence": "2", "request_key": first}, headers=hx("runs"))
    day.client.post(url, data={"confidence": "5", "request_key": new_key()}, headers=hx("runs"))
    replay = day.client.post(url, data={"confidence": "2", "request_key": first},
                             headers=hx("runs"))
    assert replay.status_code == 200 and replay.headers[REPLAYED] == "1"
    assert day.store.get_run(day.rid, day.run.id).confidence == 5


def test_a_replayed_setup_save_over_a_newer_version_is_no_conflict(day):
    """A save stored, then another phone's save: the first one's resend is a replay
    (200), not the "yours vs theirs" choice a new stale save gets (409)."""
    write = next(w for w in WRITES if w.name == "event setup save")
    key = new_key()
    form = write.good(day)
    assert post(day, write, form, key).status_code == 200
    newer = day.store.get_event_setup(day.rid, day.event.id)
    day.store.edit_event_setup(day.rid, day.event.id, {"DF": 6000}, source="manual",
                               version=newer.version)
    replay = post(day, write, form, key)
    assert replay.status_code == 200 and replay.headers[REPLAYED] == "1"
    stale = post(day, write, {**form, "SO_F": "550"}, new_key())
    assert stale.status_code == 409 and "Changed on another phone" in stale.text


def test_each_symptom_button_of_one_form_counts_once(day):
    """One form, one key, several buttons: each symptom is its own write."""
    key = new_key()
    for symptom in ("bottoming", "push_entry", "bottoming"):
        day.client.post(f"/race/{day.event.id}/symptoms",
                        data={"symptom": symptom, "request_key": key}, headers=hx("symptoms"))
    assert sorted(kind for kind, _ in day.logs()) == ["symptom", "symptom"]


def test_laps_from_a_file_preview_then_save_once(day):
    """The file's preview writes nothing (the key stays new); its Save (the text posted
    again with the same key) stores the laps once."""
    url = f"/race/{day.event.id}/runs/{day.run.id}/laps"
    key = new_key()
    before = day.laps()
    preview = day.client.post(url + "/file", data={**lap_file("30.1\n30.2\n"), "request_key": key},
                              headers=hx("runs"))
    assert preview.status_code == 200 and REPLAYED not in preview.headers
    assert day.laps() == before
    save = {"laps": "30.1\n30.2\n", "confirm": "1", "request_key": key}
    assert REPLAYED not in day.client.post(url, data=save, headers=hx("runs")).headers
    assert len(day.laps()) == len(before) + 2
    again = day.client.post(url, data=save, headers=hx("runs"))
    assert again.status_code == 200 and again.headers[REPLAYED] == "1"
    assert len(day.laps()) == len(before) + 2
    empty = day.client.post(url + "/file", data={"request_key": new_key()}, headers=hx("runs"))
    assert empty.status_code == 422


def test_a_refused_fresh_set_does_not_use_its_key(day, auth, client):
    """Not found (another racer's event) is 404 and keeps the key."""
    key = new_key()
    assert day.client.post(f"/race/{day.event.id}x/tyres/fresh",
                           data={"request_key": key}).status_code == 404
    before = day.store.get_event_setup(day.rid, day.event.id).tyres_fitted_at
    response = day.client.post(f"/race/{day.event.id}/tyres/fresh", data={"request_key": key},
                               headers=hx("setup-drift"))
    assert response.status_code == 200 and REPLAYED not in response.headers
    assert day.store.get_event_setup(day.rid, day.event.id).tyres_fitted_at != before


def test_a_key_that_is_no_key_is_422_and_writes_nothing(day):
    before = day.store.get_event_setup(day.rid, day.event.id).tyres_fitted_at
    response = day.client.post(f"/race/{day.event.id}/tyres/fresh",
                               data={"request_key": "<script>"}, headers=hx("setup-drift"))
    assert response.status_code == 422
    assert day.store.get_event_setup(day.rid, day.event.id).tyres_fitted_at == before
