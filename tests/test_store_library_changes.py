"""The Store contract for changing the Setup Library: add (all or none), update and
delete only one's own rows, taken keys, request keys, and community values.

Run on both stores by the ``store`` fixture; searching is in test_store_library.py.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest

from apex.catalogue import PARAM_KEYS, empty_setup
from apex.models import LibraryQuery
from apex.store import DuplicateError, Store
from apex.stores.library_rules import TAKEN
from tests.conftest import NB48, new_user
from tests.test_store_library import DEMO, find, item, seed


def count(store: Store) -> int:
    return store.search_library(LibraryQuery()).total


# -- adding ------------------------------------------------------------------------


def test_added_rows_get_ids_and_are_credited_to_the_racer(store: Store) -> None:
    user = new_user(store)
    added = store.add_library_baselines(user.racer_id, [item(DEMO[0]), item(DEMO[1])])
    assert len(added) == 2 and len({b.id for b in added}) == 2
    assert all(isinstance(b.id, int) and b.id > 0 for b in added)
    assert {(b.submitted_by, b.submitter_name) for b in added} == {(user.racer_id, "alice")}
    assert (added[0].track, added[0].vehicle, added[0].date) == (
        "Thunder Alley", "NB48 2.2", date(2025, 11, 2))
    assert added[1].values == {k: DEMO[1][k] for k in PARAM_KEYS}
    assert added[0].created_at is not None
    for baseline in added:
        assert store.get_library_baseline(baseline.id) == baseline


def test_a_batch_comes_back_in_the_order_given(store: Store) -> None:
    user = new_user(store)
    batch = [item(DEMO[i % 12], track=f"Track {i:02}") for i in range(30)]
    added = store.add_library_baselines(user.racer_id, batch)
    assert [b.track for b in added] == [f"Track {i:02}" for i in range(30)]
    assert [b.id for b in added] == sorted(b.id for b in added)
    assert store.add_library_baselines(user.racer_id, []) == []
    assert count(store) == 30


def test_added_ids_follow_the_existing_ones(store: Store) -> None:
    seed(store)
    user = new_user(store)
    (added,) = store.add_library_baselines(user.racer_id, [item(DEMO[0], track="New Track")])
    assert added.id > max(b.id for b in find(store) if b.id != added.id)
    assert count(store) == 13


def test_a_key_already_in_the_library_saves_nothing(store: Store) -> None:
    seed(store)
    user = new_user(store)
    with pytest.raises(DuplicateError) as err:
        store.add_library_baselines(user.racer_id, [item(DEMO[0], track="Fresh"), item(DEMO[3])])
    assert (err.value.field, err.value.message) == ("track", TAKEN)
    assert count(store) == 12 and find(store, text="fresh") == []


def test_a_key_twice_in_one_batch_saves_nothing(store: Store) -> None:
    user = new_user(store)
    batch = [item(DEMO[0]), item(DEMO[1]), item(DEMO[0], source="Other", notes="again")]
    with pytest.raises(DuplicateError) as err:
        store.add_library_baselines(user.racer_id, batch)
    assert err.value.field == "track"
    assert count(store) == 0


def test_the_key_is_exact_as_the_unique_index(store: Store) -> None:
    """Track, brand, vehicle, condition and date: another case or day is another row."""
    user = new_user(store)
    store.add_library_baselines(user.racer_id, [item(DEMO[0])])
    store.add_library_baselines(user.racer_id, [
        item(DEMO[0], track="THUNDER ALLEY"), item(DEMO[0], date=date(2025, 11, 3)),
        item(DEMO[0], condition="Wet")])
    assert count(store) == 4


def test_existing_library_keys_returns_the_taken_ones(store: Store) -> None:
    seed(store)
    taken = [tuple(DEMO[i][f] for f in ("track", "brand", "vehicle", "condition", "date"))
             for i in (0, 8)]
    free = [("Thunder Alley", "Tekno", "NB48 2.2", "High Traction, Smooth", date(2025, 11, 3)),
            ("thunder alley", "Tekno", "NB48 2.2", "High Traction, Smooth", date(2025, 11, 2))]
    assert store.existing_library_keys([*taken, *free]) == set(taken)
    assert store.existing_library_keys([]) == set()
    assert store.existing_library_keys(free) == set()


def test_a_retried_add_with_the_same_request_key_happens_once(store: Store) -> None:
    user = new_user(store)
    key = str(uuid.uuid4())
    first = store.add_library_baselines(user.racer_id, [item(DEMO[0])], request_key=key)
    again = store.add_library_baselines(user.racer_id, [item(DEMO[1])], request_key=key)
    assert first is not None and again is None
    assert [b.id for b in find(store)] == [first[0].id]


def test_a_refused_add_does_not_use_up_its_request_key(store: Store) -> None:
    seed(store)
    user = new_user(store)
    key = str(uuid.uuid4())
    with pytest.raises(DuplicateError):
        store.add_library_baselines(user.racer_id, [item(DEMO[0])], request_key=key)
    fixed = store.add_library_baselines(user.racer_id, [item(DEMO[0], track="Fixed")],
                                        request_key=key)
    assert fixed is not None and fixed[0].track == "Fixed"


@pytest.mark.parametrize("who", ["nope", str(uuid.uuid4())], ids=("word", "unknown_uuid"))
def test_adding_for_an_unknown_racer_raises_lookup_error(store: Store, who: str) -> None:
    with pytest.raises(LookupError):
        store.add_library_baselines(who, [item(DEMO[0])])
    assert count(store) == 0


# -- updating and deleting one's own rows ---------------------------------------------


def added_by(store: Store, name: str = "alice"):
    user = new_user(store, name)
    (baseline,) = store.add_library_baselines(user.racer_id, [item(DEMO[0])])
    return user, baseline


def test_update_replaces_the_fields_and_every_parameter(store: Store) -> None:
    user, baseline = added_by(store)
    data = {"track": "Mac's Track", "condition": "Dusty", "date": date(2025, 12, 1),
            "notes": "Faster on the jump"}
    got = store.update_library_baseline(user.racer_id, baseline.id, data, {"DF": 9000})
    assert (got.id, got.track, got.condition, got.date, got.notes) == (
        baseline.id, "Mac's Track", "Dusty", date(2025, 12, 1), "Faster on the jump")
    # Fields not given keep their value; parameters not given become unset.
    assert (got.brand, got.vehicle, got.source) == (baseline.brand, baseline.vehicle,
                                                    baseline.source)
    assert got.values == {**empty_setup(), "DF": 9000}
    assert (got.submitted_by, got.submitter_name) == (user.racer_id, "alice")
    assert store.get_library_baseline(baseline.id) == got


def test_update_coerces_parameter_values(store: Store) -> None:
    user, baseline = added_by(store)
    got = store.update_library_baseline(user.racer_id, baseline.id, {},
                                        {**NB48, "SB_F": "2.40", "Pipe": " REDS "})
    assert got.values["SB_F"] == Decimal("2.4") and str(got.values["SB_F"]) == "2.4"
    assert got.values["Pipe"] == "REDS"
    assert store.get_library_baseline(baseline.id).values == got.values


def test_another_racer_cannot_update_or_delete_a_row(store: Store) -> None:
    _, baseline = added_by(store, "alice")
    bob = new_user(store, "bob")
    assert store.update_library_baseline(bob.racer_id, baseline.id, {"track": "X"}, {}) is None
    assert store.delete_library_baseline(bob.racer_id, baseline.id) is False
    assert store.get_library_baseline(baseline.id) == baseline


def test_nobody_can_update_or_delete_an_imported_row(store: Store) -> None:
    seed(store)
    user = new_user(store)
    row = find(store)[0]
    assert store.update_library_baseline(user.racer_id, row.id, {"notes": "x"}, {}) is None
    assert store.delete_library_baseline(user.racer_id, row.id) is False
    assert store.get_library_baseline(row.id) == row


@pytest.mark.parametrize("bad", ["nope", "", None])
def test_a_bad_racer_id_changes_nothing(store: Store, bad: object) -> None:
    seed(store)
    row = find(store)[0]
    assert store.update_library_baseline(bad, row.id, {"notes": "x"}, {}) is None
    assert store.delete_library_baseline(bad, row.id) is False
    assert store.get_library_baseline(row.id) == row


def test_update_onto_another_rows_key_raises_and_changes_nothing(store: Store) -> None:
    user = new_user(store)
    first, second = store.add_library_baselines(user.racer_id, [item(DEMO[0]), item(DEMO[1])])
    with pytest.raises(DuplicateError) as err:
        store.update_library_baseline(user.racer_id, second.id, {"vehicle": first.vehicle}, {})
    assert err.value.field == "track"
    assert store.get_library_baseline(second.id) == second
    # Its own key is no clash.
    same = store.update_library_baseline(user.racer_id, first.id, {"notes": "n"}, first.values)
    assert same.notes == "n"


def test_update_or_delete_of_a_missing_row(store: Store) -> None:
    user = new_user(store)
    assert store.update_library_baseline(user.racer_id, 4242, {}, {}) is None
    assert store.update_library_baseline(user.racer_id, "x", {}, {}) is None
    assert store.delete_library_baseline(user.racer_id, 4242) is False
    assert store.delete_library_baseline(user.racer_id, "x") is False


def test_delete_removes_only_that_row(store: Store) -> None:
    user = new_user(store)
    first, second = store.add_library_baselines(user.racer_id, [item(DEMO[0]), item(DEMO[1])])
    assert store.delete_library_baseline(user.racer_id, first.id) is True
    assert store.get_library_baseline(first.id) is None
    assert [b.id for b in find(store)] == [second.id]
    assert store.delete_library_baseline(user.racer_id, first.id) is False


# -- community values --------------------------------------------------------------


def test_community_values_are_every_matching_rows_parameters(store: Store) -> None:
    seed(store)
    got = store.community_values("tekno", "NB48 2.2")
    expected = [{k: r[k] for k in PARAM_KEYS} for r in DEMO
                if (r["brand"], r["vehicle"]) == ("Tekno", "NB48 2.2")]
    assert len(got) == 3
    assert sorted(map(repr, got)) == sorted(map(repr, expected))  # same values, same types


@pytest.mark.parametrize(("track", "condition", "n"), [
    ("mac's track", "", 1), ("", "WET, MUDDY", 1), ("Thunder Alley", "High Traction, Smooth", 1),
    ("Thunder Alley", "Wet, Muddy", 0), ("Nowhere", "", 0),
])
def test_track_and_condition_narrow_community_values(
    store: Store, track: str, condition: str, n: int
) -> None:
    seed(store)
    assert len(store.community_values("TEKNO", "nb48 2.2", track, condition)) == n


def test_community_values_of_an_unknown_car_are_empty(store: Store) -> None:
    seed(store)
    assert store.community_values("Tekno", "NB48") == []
    assert store.community_values("", "") == []


def test_community_values_match_empty_names_exactly_too(store: Store) -> None:
    user = new_user(store)
    store.add_library_baselines(user.racer_id, [item(DEMO[0], brand="", vehicle="")])
    assert len(store.community_values("", "")) == 1
    assert store.community_values("", "", "Mac's Track") == []
