"""Store contract, race day: edits to the event setup and the changes they record,
reverts, and advisor proposals.

Every test runs on the CSV store and on PostgreSQL.
"""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest

from apex.event_setup import values_at
from apex.store import StaleSetupError, Store, UntestedChangeError
from tests.conftest import NB48, new_user
from tests.store_events_helpers import new_event


def test_an_edit_records_one_change_per_changed_parameter(store: Store) -> None:
    user, _, event = new_event(store)
    edit = store.edit_event_setup(user.racer_id, event.id,
                                  {"DF": 6000, "SO_F": 450, "SP_F": "green", "RH_F": Decimal("28")},
                                  source="manual", version=1)
    # SO_F and SP_F ("green" is the Green spring) are unchanged.
    assert [(c.parameter, c.old_value, c.new_value) for c in edit.changes] == [
        ("DF", "7000", "6000"), ("RH_F", "27.0", "28.0")]
    assert {c.source for c in edit.changes} == {"manual"}
    assert {c.version for c in edit.changes} == {2}
    assert {c.status for c in edit.changes} == {"accepted"}
    assert edit.setup.version == 2
    stored = store.get_event_setup(user.racer_id, event.id)
    assert stored.values["DF"] == 6000 and stored.values["RH_F"] == Decimal("28.0")
    assert stored.values["SP_F"] == "Green"
    assert store.list_changes(user.racer_id, event.id) == edit.changes


def test_an_edit_that_changes_nothing_keeps_the_version(store: Store) -> None:
    user, _, event = new_event(store)
    edit = store.edit_event_setup(user.racer_id, event.id, {"DF": 7000}, source="manual",
                                  version=1)
    assert edit.changes == [] and edit.setup.version == 1
    assert store.list_changes(user.racer_id, event.id) == []


def test_a_save_from_a_stale_page_is_refused_with_the_stored_setup(store: Store) -> None:
    user, _, event = new_event(store)
    store.edit_event_setup(user.racer_id, event.id, {"DF": 6000}, source="manual", version=1)
    with pytest.raises(StaleSetupError) as err:
        store.edit_event_setup(user.racer_id, event.id, {"DF": 8000}, source="manual",
                               version=1)
    assert err.value.current.version == 2 and err.value.current.values["DF"] == 6000
    assert store.get_event_setup(user.racer_id, event.id).values["DF"] == 6000
    assert len(store.list_changes(user.racer_id, event.id)) == 1


def test_two_phones_saving_at_once_both_land_one_after_the_other(store: Store) -> None:
    """Without a version each save merges its own parameters: none is lost."""
    user, _, event = new_event(store)
    barrier = threading.Barrier(2)

    def save(values: dict) -> None:
        barrier.wait()
        store.edit_event_setup(user.racer_id, event.id, values, source="manual")

    threads = [threading.Thread(target=save, args=(v,)) for v in ({"DF": 6000}, {"DR": 4000})]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    setup = store.get_event_setup(user.racer_id, event.id)
    assert (setup.values["DF"], setup.values["DR"], setup.version) == (6000, 4000, 3)
    assert sorted(c.version for c in store.list_changes(user.racer_id, event.id)) == [2, 3]


def test_revert_sets_the_old_value_back_as_a_new_change(store: Store) -> None:
    user, _, event = new_event(store)
    change = store.edit_event_setup(user.racer_id, event.id, {"SO_F": 500},
                                    source="manual").changes[0]
    edit = store.revert_change(user.racer_id, change.id)
    assert [(c.parameter, c.old_value, c.new_value) for c in edit.changes] == [
        ("SO_F", "500", "450")]
    assert store.get_event_setup(user.racer_id, event.id).values["SO_F"] == 450
    statuses = [c.status for c in store.list_changes(user.racer_id, event.id)]
    assert statuses == ["reverted", "accepted"]
    assert store.revert_change(user.racer_id, change.id) is None  # already reverted


def test_no_undo_of_a_change_that_a_later_one_overtook(store: Store) -> None:
    user, _, event = new_event(store)
    rid = user.racer_id
    older = store.edit_event_setup(rid, event.id, {"SO_F": 500}, source="manual").changes[0]
    store.edit_event_setup(rid, event.id, {"SO_F": 550}, source="manual")
    assert store.revert_change(rid, older.id) is None
    assert store.get_event_setup(rid, event.id).values["SO_F"] == 550
    assert store.list_changes(rid, event.id)[0].status == "accepted"


def test_values_at_an_earlier_version_undo_later_changes(store: Store) -> None:
    user, _, event = new_event(store)
    store.edit_event_setup(user.racer_id, event.id, {"DF": 6000, "SO_F": 500}, source="manual")
    store.edit_event_setup(user.racer_id, event.id, {"DF": 5000}, source="manual")
    setup = store.get_event_setup(user.racer_id, event.id)
    changes = store.list_changes(user.racer_id, event.id)
    assert values_at(setup.values, changes, 1) == NB48
    at_two = values_at(setup.values, changes, 2)
    assert (at_two["DF"], at_two["SO_F"]) == (6000, 500)


# --- advisor proposals --------------------------------------------------------------------

def test_a_proposal_waits_then_accepting_applies_it_as_a_change(store: Store) -> None:
    user, _, event = new_event(store)
    rid = user.racer_id
    run = store.add_run(rid, event.id, "Practice 1")
    proposal = store.propose_change(rid, event.id, "DF", 6000, "Push on entry: thinner front diff")
    assert (proposal.status, proposal.source, proposal.old_value, proposal.new_value,
            proposal.version) == ("pending", "advisor", "7000", "6000", None)
    assert store.get_event_setup(rid, event.id).values["DF"] == 7000  # nothing applied yet
    store.edit_event_setup(rid, event.id, {"SO_F": 500}, source="manual")
    # SO_F 500 has no run after it: accepting is a second change before a run (§3.3).
    with pytest.raises(UntestedChangeError):
        store.accept_proposal(rid, proposal.id)
    assert store.get_event_setup(rid, event.id).version == 2  # nothing written
    edit = store.accept_proposal(rid, proposal.id, bundle=True)  # "change both now"
    assert edit.setup.values["DF"] == 6000 and edit.setup.version == 3
    (accepted,) = edit.changes
    assert (accepted.id, accepted.status, accepted.version, accepted.run_before) == (
        proposal.id, "accepted", 3, run.id)
    changes = store.list_changes(rid, event.id)
    assert [c.parameter for c in changes] == ["SO_F", "DF"]  # in the order they were applied
    assert store.accept_proposal(rid, proposal.id) is None  # not pending any more


def test_deny_marks_it_denied_and_changes_nothing(store: Store) -> None:
    user, _, event = new_event(store)
    rid = user.racer_id
    proposal = store.propose_change(rid, event.id, "SO_F", 500, "Loose on entry")
    denied = store.deny_proposal(rid, proposal.id)
    assert denied.status == "denied"
    assert store.get_event_setup(rid, event.id).version == 1
    assert store.accept_proposal(rid, proposal.id) is None
    assert store.deny_proposal(rid, proposal.id) is None


def test_another_racers_proposals_are_out_of_reach(store: Store) -> None:
    alice, _, event = new_event(store)
    proposal = store.propose_change(alice.racer_id, event.id, "DF", 6000, "why")
    bob = new_user(store, "bob").racer_id
    assert store.accept_proposal(bob, proposal.id) is None
    assert store.deny_proposal(bob, proposal.id) is None
    with pytest.raises(LookupError):
        store.propose_change(bob, event.id, "DF", 5000, "why")
    assert store.list_changes(alice.racer_id, event.id)[0].status == "pending"


def test_a_proposal_the_setup_moved_away_from_is_not_applied(store: Store) -> None:
    user, _, event = new_event(store)
    rid = user.racer_id
    proposal = store.propose_change(rid, event.id, "DF", 6000, "Push on entry")
    store.edit_event_setup(rid, event.id, {"DF": 6500}, source="manual")
    assert store.accept_proposal(rid, proposal.id) is None
    assert store.get_event_setup(rid, event.id).values["DF"] == 6500
    assert store.list_changes(rid, event.id)[0].status == "pending"
