"""The Store contract for the racer's notebook (track logs), on both stores."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from apex.models import TrackLog
from apex.store import Store
from tests.conftest import new_user


def test_add_track_log_returns_the_entry_stamped_now_in_utc(store: Store) -> None:
    user = new_user(store)
    before = datetime.now(UTC)
    log = store.add_track_log(user.racer_id, "symptom", "Pushes mid-corner", track="Mac's Track",
                              car="Tekno NB48 2.2", event="Club race", keywords="push, entry")
    assert log == TrackLog(log.id, user.racer_id, log.timestamp, "symptom", "Pushes mid-corner",
                           "Mac's Track", "Tekno NB48 2.2", "Club race", "push, entry")
    assert log.id and log.timestamp.utcoffset() == timedelta(0)
    slack = timedelta(seconds=5)  # the database's clock against ours
    assert before - slack <= log.timestamp <= datetime.now(UTC) + slack
    assert store.list_track_logs(user.racer_id) == [log]


def test_optional_fields_are_empty_text(store: Store) -> None:
    user = new_user(store)
    log = store.add_track_log(user.racer_id, "note", "Hot day")
    assert (log.track, log.car, log.event, log.keywords) == ("", "", "", "")


@pytest.mark.parametrize("kind", ["", "Note", "lap", "change "])
def test_an_unknown_kind_raises_and_saves_nothing(store: Store, kind: str) -> None:
    user = new_user(store)
    with pytest.raises(ValueError):
        store.add_track_log(user.racer_id, kind, "x")
    assert store.list_track_logs(user.racer_id) == []


@pytest.mark.parametrize("kind", ["note", "symptom", "change", "system"])
def test_every_known_kind_is_kept(store: Store, kind: str) -> None:
    user = new_user(store)
    assert store.add_track_log(user.racer_id, kind, "x").kind == kind


@pytest.mark.parametrize("who", ["nope", str(uuid.uuid4())], ids=("word", "unknown_uuid"))
def test_an_unknown_racer_raises_lookup_error(store: Store, who: str) -> None:
    with pytest.raises(LookupError):
        store.add_track_log(who, "note", "x")


def test_list_is_newest_first_and_limited(store: Store) -> None:
    user = new_user(store)
    logs = [store.add_track_log(user.racer_id, "note", f"note {i}") for i in range(5)]
    assert [x.note for x in store.list_track_logs(user.racer_id)] == [
        "note 4", "note 3", "note 2", "note 1", "note 0"]
    assert store.list_track_logs(user.racer_id, limit=2) == [logs[4], logs[3]]
    assert store.list_track_logs(user.racer_id, limit=0) == []


def test_car_filter_is_exact(store: Store) -> None:
    user = new_user(store)
    nb = store.add_track_log(user.racer_id, "change", "DF 7000 → 9000", car="Tekno NB48 2.2")
    store.add_track_log(user.racer_id, "change", "DF 9000 → 10000", car="Tekno NT48 2.2")
    store.add_track_log(user.racer_id, "note", "Track was dusty")
    assert store.list_track_logs(user.racer_id, car="Tekno NB48 2.2") == [nb]
    assert store.list_track_logs(user.racer_id, car="tekno nb48 2.2") == []
    assert len(store.list_track_logs(user.racer_id, car="")) == 3


def test_a_racer_sees_only_their_own_logs(store: Store) -> None:
    alice, bob = new_user(store, "alice"), new_user(store, "bob")
    mine = store.add_track_log(alice.racer_id, "note", "Alice's note", car="Tekno NB48 2.2")
    theirs = store.add_track_log(bob.racer_id, "note", "Bob's note", car="Tekno NB48 2.2")
    assert store.list_track_logs(alice.racer_id) == [mine]
    assert store.list_track_logs(bob.racer_id, car="Tekno NB48 2.2") == [theirs]
    assert store.list_track_logs("nope") == []
    assert store.list_track_logs(str(uuid.uuid4())) == []
