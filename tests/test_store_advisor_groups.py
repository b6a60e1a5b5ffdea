"""Store contract, advisor: pairs (TUNING §3.10), one ask's proposals superseded once one is
accepted, the accept guard (§3.3), the setup's temperature reference (§3.8) and a fresh set
of tyres (§2).

Every test runs on the CSV store and on PostgreSQL.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from apex.store import Store, UntestedChangeError
from apex.stores.csv import CsvStore
from tests.store_events_helpers import new_event


def _ask(store: Store, rid: str, event_id: str) -> list:
    """One ask's proposals: the shock-oil pair (for 30 °C) and a ride height alone."""
    return [
        store.propose_change(rid, event_id, "SO_F", 500, "Bottoming", ask_id="a1",
                             pair_id="a1:SO_F", temperature_ref=30),
        store.propose_change(rid, event_id, "SO_R", 450, "Bottoming", ask_id="a1",
                             pair_id="a1:SO_F", temperature_ref=30),
        store.propose_change(rid, event_id, "RH_F", Decimal("28"), "Bottoming", ask_id="a1"),
    ]


def _laps(store: Store, rid: str, event_id: str, name: str) -> None:
    run = store.add_run(rid, event_id, name)
    store.add_laps(rid, run.id, [Decimal("40.1"), Decimal("40.2"), Decimal("40.3")])


def test_a_new_event_setup_remembers_the_event_temperature(store: Store) -> None:
    user, _, event = new_event(store)
    setup = store.get_event_setup(user.racer_id, event.id)
    assert setup.temperature_ref == event.temperature
    assert setup.tyres_fitted_at is None


def test_a_pair_is_accepted_as_one_and_the_rest_of_the_ask_is_superseded(store: Store) -> None:
    user, _, event = new_event(store)
    rid = user.racer_id
    front, rear, height = _ask(store, rid, event.id)
    assert (front.ask_id, front.pair_id, front.temperature_ref) == ("a1", "a1:SO_F", 30)
    edit = store.accept_proposal(rid, rear.id)  # either end accepts the pair
    assert edit.setup.version == 2
    assert (edit.setup.values["SO_F"], edit.setup.values["SO_R"]) == (500, 450)
    assert edit.setup.temperature_ref == 30  # the shock oils are set for 30 °C now
    assert store.get_event_setup(rid, event.id).temperature_ref == 30
    by_id = {c.id: c for c in store.list_changes(rid, event.id)}
    assert (by_id[front.id].status, by_id[front.id].version) == ("accepted", 2)
    assert (by_id[rear.id].status, by_id[rear.id].version) == ("accepted", 2)
    assert by_id[height.id].status == "superseded"
    # The superseded one can still be taken, but only as a bundle: the pair is untested.
    with pytest.raises(UntestedChangeError) as raised:
        store.accept_proposal(rid, height.id)
    assert {c.parameter for c in raised.value.changes} == {"SO_F", "SO_R"}
    bundle = store.accept_proposal(rid, height.id, bundle=True)
    assert bundle.setup.version == 3 and bundle.setup.values["RH_F"] == Decimal("28.0")


def test_a_pair_is_undone_and_denied_together(store: Store) -> None:
    user, _, event = new_event(store)
    rid = user.racer_id
    front, rear, _height = _ask(store, rid, event.id)
    store.accept_proposal(rid, front.id)
    undo = store.revert_change(rid, rear.id)
    assert undo.setup.version == 3
    assert (undo.setup.values["SO_F"], undo.setup.values["SO_R"]) == (450, 400)
    assert sorted(c.parameter for c in undo.changes) == ["SO_F", "SO_R"]
    statuses = {c.id: c.status for c in store.list_changes(rid, event.id)}
    assert statuses[front.id] == statuses[rear.id] == "reverted"
    # A new ask: denying one end denies the pair.
    again = _ask(store, rid, event.id)
    store.deny_proposal(rid, again[0].id)
    statuses = {c.id: c.status for c in store.list_changes(rid, event.id)}
    assert statuses[again[0].id] == statuses[again[1].id] == "denied"


def test_a_run_with_laps_tests_the_change_and_a_restore_counts_as_tested(store: Store) -> None:
    user, _, event = new_event(store)
    rid = user.racer_id
    _laps(store, rid, event.id, "Practice 1")  # version 1 is tested
    store.edit_event_setup(rid, event.id, {"DF": 6000}, source="manual")
    p = store.propose_change(rid, event.id, "SO_F", 500, "Loose entry")
    with pytest.raises(UntestedChangeError):
        store.accept_proposal(rid, p.id)
    # Back to version 1's setup (a restore to last known good): nothing waits.
    store.edit_event_setup(rid, event.id, {"DF": 7000}, source="manual")
    assert store.accept_proposal(rid, p.id).setup.values["SO_F"] == 500
    # After a run with laps the next acceptance needs no question.
    _laps(store, rid, event.id, "Practice 2")
    q = store.propose_change(rid, event.id, "DR", 6000, "Loose entry")
    assert store.accept_proposal(rid, q.id).setup.values["DR"] == 6000


def test_a_fresh_set_of_tyres_is_remembered(store: Store) -> None:
    user, _, event = new_event(store)
    rid = user.racer_id
    fitted = store.fresh_tyres(rid, event.id)
    assert fitted.tyres_fitted_at is not None
    assert fitted.version == 1  # not a setup change
    assert store.get_event_setup(rid, event.id).tyres_fitted_at == fitted.tyres_fitted_at
    other = new_event(store, "bob")[0]
    assert store.fresh_tyres(other.racer_id, event.id) is None


def test_asks_pairs_and_the_setup_references_survive_export_and_import(store: Store,
                                                                       tmp_path) -> None:
    source = CsvStore(tmp_path / "source")
    source.upgrade()
    user, _, event = new_event(source)
    front, _rear, _height = _ask(source, user.racer_id, event.id)
    source.accept_proposal(user.racer_id, front.id)
    source.fresh_tyres(user.racer_id, event.id)
    rows = source.dump_tables()
    (setup,) = rows["event_setups"]
    assert setup["temperature_ref"] == 30 and setup["tyres_fitted_at"] is not None
    assert {(c["parameter"], c["status"], c["ask_id"], c["pair_id"], c["temperature_ref"])
            for c in rows["setup_changes"]} == {
        ("SO_F", "accepted", "a1", "a1:SO_F", 30), ("SO_R", "accepted", "a1", "a1:SO_F", 30),
        ("RH_F", "superseded", "a1", "", None)}
    store.import_rows(rows)

    def ordered(dump: dict) -> dict:
        return {t: sorted(rs, key=lambda r: str(r.get("id") or r.get("key")))
                for t, rs in dump.items()}

    assert ordered(store.dump_tables()) == ordered(rows)
