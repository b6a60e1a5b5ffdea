"""Store contract: events a page at a time (issue 17). ``list_events`` and
``event_history`` take ``limit`` and a keyset cursor (``before``), newest first, and
filter by state, track and condition; ``event_tracks`` is the history's track list.

Every test runs on the CSV store and on PostgreSQL.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from apex.models import Event
from apex.paging import EventCursor
from apex.store import Store
from tests.conftest import CAR, NB48, new_user
from tests.store_events_helpers import EVENT


def season(store: Store, racer_id: str, n: int, *, same_day: int = 3) -> list[Event]:
    """``n`` closed events (``same_day`` of them on each date: the tie-break counts),
    three tracks, two conditions; returned newest first."""
    car = store.add_car(racer_id, CAR, NB48)
    events = []
    for i in range(n):
        day = date(2026, 1, 1) + timedelta(days=i // same_day)
        event = store.start_event(racer_id, {
            **EVENT, "name": f"E{i}", "start_date": day, "car_id": car.id,
            "track": ["Mac's Track", "Ridge", "mac's track"][i % 3],
            "condition": ["Bumpy", "Smooth"][i % 2]}, NB48)
        events.append(store.close_event(racer_id, event.id, day))
    return events[::-1]


def pages(fetch, size: int) -> list[list[str]]:
    """Every page ``fetch(before, limit)`` gives, following the last one's cursor."""
    out, before = [], None
    while True:
        page = fetch(before, size)
        out.append([e.name for e in page])
        if len(page) < size:
            return out
        before = EventCursor.of(page[-1])


def test_pages_are_newest_first_and_add_up_to_the_whole_list(store: Store) -> None:
    rid = new_user(store).racer_id
    newest_first = [e.name for e in season(store, rid, 11)]
    assert [e.name for e in store.list_events(rid)] == newest_first
    got = pages(lambda b, n: store.list_events(rid, before=b, limit=n), 4)
    assert [len(p) for p in got] == [4, 4, 3]
    assert [name for p in got for name in p] == newest_first


def test_a_cursor_keeps_its_place_when_events_come_and_go(store: Store) -> None:
    rid = new_user(store).racer_id
    events = season(store, rid, 6)
    first = store.list_events(rid, limit=3)
    cursor = EventCursor.of(first[-1])
    # A newer event started meanwhile does not push the old ones a page on.
    car = store.list_cars(rid)[0]
    store.start_event(rid, {**EVENT, "name": "New", "start_date": date(2027, 1, 1),
                            "car_id": car.id}, NB48)
    assert [e.name for e in store.list_events(rid, before=cursor, limit=3)] == [
        e.name for e in events[3:]]


def test_filters_hold_across_pages(store: Store) -> None:
    rid = new_user(store).racer_id
    events = season(store, rid, 12)
    macs = [e.name for e in events if e.track.lower() == "mac's track"]
    assert len(macs) == 8
    got = pages(lambda b, n: store.list_events(rid, track="MAC'S TRACK", before=b, limit=3), 3)
    assert [name for p in got for name in p] == macs
    bumpy = [e.name for e in events
             if e.track.lower() == "mac's track" and e.condition == "Bumpy"]
    assert [e.name for e in store.list_events(rid, track="mac's track",
                                              condition="bumpy")] == bumpy
    assert store.list_events(rid, track="Nowhere") == []


def test_active_or_closed_only(store: Store) -> None:
    rid = new_user(store).racer_id
    closed = season(store, rid, 3)
    car = store.list_cars(rid)[0]
    live = store.start_event(rid, {**EVENT, "name": "Live", "car_id": car.id}, NB48)
    assert store.list_events(rid, active=True) == [live]
    assert [e.id for e in store.list_events(rid, active=False)] == [e.id for e in closed]


def test_history_pages_read_only_their_events(store: Store) -> None:
    rid = new_user(store).racer_id
    events = season(store, rid, 5)
    oldest = events[-1]
    run = store.add_run(rid, oldest.id, "Practice 1")
    store.add_laps(rid, run.id, [Decimal("31.1"), Decimal("31.2")])
    first = store.event_history(rid, limit=2)
    assert [r.event.name for r in first] == [e.name for e in events[:2]]
    assert all(r.runs == [] for r in first)
    last = store.event_history(rid, before=EventCursor.of(events[3]), limit=2)
    (record,) = last
    assert record.event.id == oldest.id
    assert [len(r.laps) for r in record.runs] == [2]
    assert [r.event.name for r in store.event_history(rid, track="ridge")] == [
        e.name for e in events if e.track == "Ridge"]


def test_tracks_once_each_in_name_order_newest_spelling(store: Store) -> None:
    rid = new_user(store).racer_id
    season(store, rid, 6)  # the newest of Mac's Track's two spellings: "mac's track"
    assert store.event_tracks(rid) == ["mac's track", "Ridge"]


def test_another_racers_events_are_never_paged(store: Store) -> None:
    alice = new_user(store).racer_id
    events = season(store, alice, 4)
    bob = new_user(store, "bob").racer_id
    cursor = EventCursor.of(events[0])
    assert store.list_events(bob, before=cursor, limit=10) == []
    assert store.event_history(bob, limit=10) == []
    assert store.event_tracks(bob) == []
    assert store.list_events("nope", limit=3) == []


@pytest.mark.parametrize("text", ["", "x", "2026-01-01_1_nope", "2026-13-01_1_" + "0" * 36,
                                  "2026-02-30_1_00000000-0000-0000-0000-000000000000"])
def test_a_mangled_cursor_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        EventCursor.parse(text)


def test_a_cursor_reads_back_as_itself(store: Store) -> None:
    rid = new_user(store).racer_id
    (event,) = season(store, rid, 1)
    cursor = EventCursor.of(event)
    assert EventCursor.parse(cursor.text) == cursor
