"""The race-day write rules of apex.race_rules, on plain data (no store)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from apex import race_rules as rules
from apex.models import EventSetup, SetupChange, car_label
from apex.store import StaleSetupError, UntestedChangeError

T0 = datetime(2024, 5, 1, 10, tzinfo=UTC)


def _run(run_id: str, minutes: int, created: int = 0) -> dict:
    return {"id": run_id, "started_at": T0 + timedelta(minutes=minutes),
            "created_at": T0 + timedelta(seconds=created)}


def _setup(version: int = 3, **values: object) -> EventSetup:
    return EventSetup("ev", version, {"SO_F": Decimal(450), "SO_R": Decimal(400), **values})


def _change(status: str = "accepted", old: str = "450", new: str = "500",
            parameter: str = "SO_F", source: str = "manual") -> SetupChange:
    return SetupChange("c1", "ev", parameter, old, new, source, status=status)


def test_car_label_is_brand_model_and_quoted_nickname() -> None:
    assert car_label("Tekno", "NB48 2.2") == "Tekno NB48 2.2"
    assert car_label("Tekno", "NB48 2.2", "Mule") == "Tekno NB48 2.2 “Mule”"
    assert car_label(" ", "", "") == ""


def test_latest_run_is_the_run_before() -> None:
    assert rules.latest_run([]) is None
    runs = [_run("a", 0), _run("c", 20), _run("b", 10)]
    assert rules.latest_run(runs) == "c"
    # Same start: the later created wins, then the greater id.
    assert rules.latest_run([_run("x", 5, created=2), _run("y", 5, created=1)]) == "x"
    assert rules.latest_run([_run("x", 5), _run("y", 5)]) == "y"


def test_tested_changes_are_accepted_waiting_and_in_the_runs_version() -> None:
    changes = [
        {"id": "ok", "status": "accepted", "version": 2, "run_after": None},
        {"id": "same", "status": "accepted", "version": 3, "run_after": None},
        {"id": "later", "status": "accepted", "version": 4, "run_after": None},
        {"id": "done", "status": "accepted", "version": 1, "run_after": "r0"},
        {"id": "pending", "status": "pending", "version": None, "run_after": None},
        {"id": "undone", "status": "reverted", "version": 2, "run_after": None},
    ]
    assert rules.tested_changes(changes, 3, new_laps=5) == ["ok", "same"]
    assert rules.tested_changes(changes, 3, new_laps=0) == []


def test_edit_records_each_changed_parameter_at_the_next_version() -> None:
    write = rules.edit(_setup(), {"SO_F": 500, "SO_R": 400}, source="manual", reason="why",
                       runs=[_run("r1", 0), _run("r2", 5)])
    assert write.saves and write.version == 4 and write.values["SO_F"] == Decimal(500)
    assert write.new == [rules.NewChange("SO_F", "450", "500", "manual", "why", 4, "r2")]
    assert write.updates == {}


def test_an_edit_that_changes_nothing_writes_nothing() -> None:
    write = rules.edit(_setup(), {"SO_F": 450}, source="manual")
    assert (write.saves, write.version, write.new) == (False, 3, [])


def test_an_edit_of_another_version_is_stale() -> None:
    with pytest.raises(StaleSetupError):
        rules.edit(_setup(version=3), {"SO_F": 500}, source="manual", expected_version=2)
    assert rules.edit(_setup(version=3), {"SO_F": 500}, source="manual",
                      expected_version=3).version == 4


def test_a_stale_edit_of_what_is_stored_already_is_no_conflict() -> None:
    """The same save sent again from the old page (its answer lost): nothing to undo."""
    write = rules.edit(_setup(version=3), {"SO_F": 450}, source="manual", expected_version=2)
    assert (write.saves, write.version, write.new) == (False, 3, [])


def test_undo_while_the_setup_holds_the_new_value() -> None:
    write = rules.undo(_change(source="advisor"), _setup(SO_F=Decimal(500)), [_run("r1", 0)])
    assert write is not None
    assert write.values["SO_F"] == Decimal(450) and write.version == 4
    assert write.new == [rules.NewChange("SO_F", "500", "450", "advisor",
                                         "Undo: back to 450", 4, "r1")]
    assert write.updates == {"c1": {"status": "reverted"}}


def test_undo_is_refused_when_a_later_change_moved_the_value_or_not_accepted() -> None:
    assert rules.undo(_change(), _setup(SO_F=Decimal(550))) is None
    assert rules.undo(_change(status="pending"), _setup(SO_F=Decimal(500))) is None
    assert rules.undo(_change(status="reverted"), _setup(SO_F=Decimal(500))) is None
    assert rules.undo(_change(parameter="GONE"), _setup()) is None


def test_undo_to_unset() -> None:
    write = rules.undo(_change(old=""), _setup(SO_F=Decimal(500)))
    assert write is not None and write.values["SO_F"] is None
    assert write.new[0].reason == "Undo: back to unset"


def test_accept_while_the_setup_holds_the_proposed_from_value() -> None:
    write = rules.accept(_change(status="pending"), _setup(), [_run("r1", 0)])
    assert write is not None and write.new == []
    assert write.values["SO_F"] == Decimal(500) and write.version == 4
    assert write.updates == {"c1": {"status": "accepted", "version": 4, "created_at": rules.NOW,
                                    "old_value": "450", "run_before": "r1"}}
    assert rules.accept(_change(status="pending"), _setup(SO_F=Decimal(470))) is None
    assert rules.accept(_change(status="accepted"), _setup()) is None
    assert rules.accept(_change(status="pending", parameter="GONE"), _setup()) is None


def test_deny_only_a_pending_proposal() -> None:
    assert rules.deny(_change(status="pending")) == {"c1": {"status": "denied"}}
    assert rules.deny(_change(status="superseded")) == {"c1": {"status": "denied"}}
    assert rules.deny(_change(status="accepted")) is None
    assert rules.deny(_change(status="denied")) is None


# -- pairs, asks and the accept guard (TUNING §3.3, §3.10) ----------------------------------

def _proposal(cid: str, parameter: str, old: str, new: str, status: str = "pending",
              ask: str = "ask1", pair: str = "", temperature: int | None = None) -> SetupChange:
    return SetupChange(cid, "ev", parameter, old, new, "advisor", status=status, ask_id=ask,
                       pair_id=pair, temperature_ref=temperature)


FRONT = _proposal("f", "SO_F", "450", "500", pair="ask1:SO_F", temperature=30)
REAR = _proposal("r", "SO_R", "400", "450", pair="ask1:SO_F", temperature=30)
OTHER = _proposal("o", "RH_F", "27.0", "28.0")


def test_a_pair_is_accepted_as_one_version_and_supersedes_the_rest_of_its_ask() -> None:
    write = rules.accept(FRONT, _setup(RH_F=Decimal(27)), [], [FRONT, REAR, OTHER])
    assert write is not None and write.version == 4
    assert (write.values["SO_F"], write.values["SO_R"]) == (Decimal(500), Decimal(450))
    assert write.updates["f"]["status"] == write.updates["r"]["status"] == "accepted"
    assert write.updates["f"]["version"] == write.updates["r"]["version"] == 4
    assert write.updates["o"] == {"status": "superseded"}
    assert write.temperature_ref == 30  # the setup's shock oils are set for 30 °C now


def test_a_pair_whose_other_end_moved_is_not_accepted() -> None:
    assert rules.accept(FRONT, _setup(SO_R=Decimal(380)), [], [FRONT, REAR]) is None


def test_a_pair_is_denied_and_undone_together() -> None:
    assert rules.deny(FRONT, [FRONT, REAR, OTHER]) == {"f": {"status": "denied"},
                                                       "r": {"status": "denied"}}
    done = [_proposal(c.id, c.parameter, c.old_value, c.new_value, status="accepted",
                      pair="p") for c in (FRONT, REAR)]
    write = rules.undo(done[0], _setup(SO_F=Decimal(500), SO_R=Decimal(450)), [], done)
    assert write is not None
    assert (write.values["SO_F"], write.values["SO_R"]) == (Decimal(450), Decimal(400))
    assert [(c.parameter, c.new_value) for c in write.new] == [("SO_F", "450"), ("SO_R", "400")]
    assert write.updates == {"f": {"status": "reverted"}, "r": {"status": "reverted"}}


def _made(cid: str, parameter: str, old: str, new: str, version: int,
          run_after: str | None = None, status: str = "accepted") -> SetupChange:
    return SetupChange(cid, "ev", parameter, old, new, "manual", status=status,
                       version=version, run_after=run_after)


def test_a_second_acceptance_before_a_run_needs_change_both_now() -> None:
    first = _made("a", "RH_F", "27.0", "28.0", 2)
    setup = _setup(2, RH_F=Decimal(28))
    with pytest.raises(UntestedChangeError) as raised:
        rules.accept(FRONT, setup, [], [first, FRONT, REAR], {1})
    assert [c.id for c in raised.value.changes] == ["a"]
    write = rules.accept(FRONT, setup, [], [first, FRONT, REAR], {1}, bundle=True)
    assert write is not None and write.version == 3
    # A superseded proposal can be accepted too, with the same question first.
    superseded = _proposal("s", "RH_R", "28.0", "29.0", status="superseded")
    with pytest.raises(UntestedChangeError):
        rules.accept(superseded, _setup(2, RH_F=Decimal(28), RH_R=Decimal(28)), [], [first])


def test_untested_is_what_waits_for_a_run_unless_the_setup_is_back_to_a_tested_one() -> None:
    tested = _made("a", "SO_F", "450", "500", 2, run_after="r1")
    waiting = _made("b", "SO_F", "500", "550", 3)
    assert rules.untested([tested, waiting], {"SO_F": Decimal(550)}, {2}) == [waiting]
    # Restored (or undone) to version 2's setup, which had a run with laps: tested.
    restore = _made("c", "SO_F", "550", "500", 4)
    changes = [tested, waiting, restore]
    assert rules.untested(changes, {"SO_F": Decimal(500)}, {2}) == []
    # Undone before any run at all: back to the event's start, nothing new to test.
    alone = _made("d", "SO_F", "450", "500", 2, status="reverted")
    undo = _made("e", "SO_F", "500", "450", 3)
    assert rules.untested([alone, undo], {"SO_F": Decimal(450)}, set()) == []
    assert rules.untested([], {"SO_F": Decimal(450)}, set()) == []


def test_tested_versions_are_those_of_runs_with_a_live_lap() -> None:
    runs = [{"id": "r1", "setup_version": 1}, {"id": "r2", "setup_version": 2},
            {"id": "r3", "setup_version": 3}]
    laps = [{"run_id": "r1", "deleted_at": None}, {"run_id": "r3", "deleted_at": T0}]
    assert rules.tested_versions(runs, laps) == {1}


def test_close_judges_nothing_and_never_ends_before_it_started() -> None:
    # The verdicts are the laps' (apex.verdicts); the audit is stored beside them.
    assert rules.close("active", date(2024, 5, 3), date(2024, 5, 1)) == rules.Closing(
        date(2024, 5, 3))
    assert rules.close("active", date(2024, 5, 1), date(2024, 5, 2)) == rules.Closing(
        date(2024, 5, 2))
    assert rules.close("closed", date(2024, 5, 3), date(2024, 5, 4)) is None


def test_reopen_only_a_closed_event() -> None:
    assert rules.reopen("closed") and not rules.reopen("active")


def test_audit_fields() -> None:
    assert rules.audit_fields({"rating": "4", "gain": "Corner exit", "best_lap": "17.25",
                               "symptom": None}) == {
        "rating": 4, "symptom": "", "gain": "Corner exit", "observation": "",
        "best_lap": Decimal("17.25")}
    assert rules.audit_fields({"rating": 3})["best_lap"] is None


def test_reaches_lists_each_table_after_its_parents() -> None:
    order = rules.reaches("vehicles")
    assert order[0] == "vehicles"
    assert set(order) == {"vehicles", "car_configs", "events", "event_setups", "runs", "laps",
                          "setup_changes", "audits", "track_logs", "run_figures",
                          "change_outcomes"}
    for (child, _), (parent, _a) in rules.ON_DELETE.items():
        if child in order and parent in order:
            assert order.index(parent) < order.index(child)
    assert rules.reaches("laps") == ("laps",)


def _tables() -> dict[str, list[dict]]:
    return {
        "vehicles": [{"id": "car"}, {"id": "other"}],
        "car_configs": [{"id": "cc1", "vehicle_id": "car", "profile_id": "p"},
                        {"id": "cc2", "vehicle_id": "other", "profile_id": "p"}],
        "events": [{"id": "e1", "vehicle_id": "car", "profile_id": "p"},
                   {"id": "e2", "vehicle_id": "other", "profile_id": "p"}],
        "event_setups": [{"id": "s1", "event_id": "e1"}, {"id": "s2", "event_id": "e2"}],
        "runs": [{"id": "r1", "event_id": "e1"}, {"id": "r2", "event_id": "e2"}],
        "laps": [{"id": "l1", "run_id": "r1"}, {"id": "l2", "run_id": "r2"}],
        "setup_changes": [
            {"id": "c1", "event_id": "e1", "run_before": "r1", "run_after": None},
            {"id": "c2", "event_id": "e2", "run_before": "r2", "run_after": None}],
        "audits": [{"id": "a1", "event_id": "e1", "change_id": "c1"},
                   {"id": "a2", "event_id": "e2", "change_id": "c1"}],
        "track_logs": [
            {"id": "t1", "profile_id": "p", "event_id": "e1", "run_id": "r1", "note": "x"},
            {"id": "t2", "profile_id": "p", "event_id": "e2", "run_id": None, "note": "y"},
            {"id": "t3", "profile_id": "p", "event_id": None, "run_id": None, "note": "z"}],
        # stored figures (sql/0017) have no id of their own: named here to check them
        "run_figures": [{"id": "f1", "run_id": "r1", "event_id": "e1"},
                        {"id": "f2", "run_id": "r2", "event_id": "e2"}],
        "change_outcomes": [{"id": "o1", "change_id": "c1", "event_id": "e1"},
                            {"id": "o2", "change_id": "c2", "event_id": "e2"}],
    }


def test_removing_a_car_takes_what_hangs_off_it_and_blanks_links_to_it() -> None:
    before = _tables()
    after = rules.removal(before, "vehicles", {"car"})
    ids = {t: [r["id"] for r in rows] for t, rows in after.items()}
    assert ids == {"vehicles": ["other"], "car_configs": ["cc2"], "events": ["e2"],
                   "event_setups": ["s2"], "runs": ["r2"], "laps": ["l2"],
                   "setup_changes": ["c2"], "audits": ["a2"], "track_logs": ["t1", "t2", "t3"],
                   "run_figures": ["f2"], "change_outcomes": ["o2"]}
    assert after["track_logs"][0] == {**before["track_logs"][0], "event_id": None,
                                      "run_id": None}
    assert after["track_logs"][1:] == before["track_logs"][1:]
    assert after["audits"] == [{"id": "a2", "event_id": "e2", "change_id": None}]
    assert before == _tables()  # the rows given are not touched


def test_removal_leaves_untouched_tables_out() -> None:
    tables = _tables()
    tables["events"] = [e for e in tables["events"] if e["vehicle_id"] != "car"]
    after = rules.removal(tables, "vehicles", {"car"})
    assert set(after) == {"vehicles", "car_configs"}
    assert rules.removal(_tables(), "vehicles", {"nope"}) == {}


# -- undoable deletes -------------------------------------------------------------------------

def test_an_undo_lasts_the_window_then_the_row_is_purged() -> None:
    deleted = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
    assert rules.undoable(deleted, deleted + rules.UNDO_WINDOW)
    assert not rules.undoable(deleted, deleted + rules.UNDO_WINDOW + timedelta(seconds=1))
    assert not rules.undoable(None, deleted)
    assert rules.purge_before(deleted + rules.UNDO_WINDOW) == deleted


def test_a_lap_delete_marks_it_and_closes_the_gap_and_undo_reverses_it() -> None:
    live = [{"id": f"l{n}", "lap_number": n} for n in (1, 2, 3)]
    assert rules.lap_deletion(live, 4) is None
    assert rules.lap_deletion(live, 2) == {
        "l2": {"deleted_at": rules.NOW}, "l3": {"lap_number": 2}}
    now = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
    after = [{"id": "l1", "lap_number": 1}, {"id": "l3", "lap_number": 2}]
    old = {"id": "l0", "lap_number": 2, "deleted_at": now - timedelta(minutes=5)}
    newer = {"id": "l2", "lap_number": 2, "deleted_at": now - timedelta(minutes=1)}
    expired = {"id": "lx", "lap_number": 1, "deleted_at": now - timedelta(hours=1)}
    assert rules.lap_restoring(after, [old, newer, expired], 2, now) == {
        "l2": {"deleted_at": None, "lap_number": 2}, "l3": {"lap_number": 3}}
    assert rules.lap_restoring(after, [expired], 1, now) is None
    # a place past the end (laps deleted since) is the end
    assert rules.lap_restoring([], [newer], 2, now) == {
        "l2": {"deleted_at": None, "lap_number": 1}}
