"""Store contract: figures computed once (issue 17, apex.figures). Every lap, run and
change write leaves the stored run figures equal to ``event_run_stats`` of the laps,
and the stored outcomes equal to ``judge_event`` from scratch; the history's
aggregate equals ``tried_here`` over full summaries; racers never see each other's.
Every test runs on the CSV store and on PostgreSQL."""

from __future__ import annotations

from decimal import Decimal

import pytest

from apex import figures
from apex.event_history import place_history, stored_summaries, summarise, tried_here
from apex.figures import HistoryFigures
from apex.lap_stats import event_run_stats, lap_rows
from apex.models import Event, Run
from apex.store import Store
from tests.conftest import CAR, NB48, new_user
from tests.store_events_helpers import EVENT, new_event


def laps(*seconds: str) -> list[Decimal]:
    return [Decimal(s) for s in seconds]


STEADY = laps("30.50", "30.40", "30.60", "30.45", "30.55", "30.50", "30.48")
FASTER = laps("30.00", "29.90", "30.10", "29.95", "30.05", "30.00", "29.98")
SLOWER = laps("30.90", "30.80", "31.00", "30.85", "30.95", "30.90", "30.88")


def expected(store: Store, racer_id: str, event_id: str) -> dict:
    runs = store.list_runs(racer_id, event_id)
    return dict(zip((r.id for r in runs), event_run_stats(runs), strict=True))


def stored_outcomes(store: Store, racer_id: str, event_id: str) -> list[dict]:
    return [o for o in store.history_figures(racer_id).outcomes if o["event_id"] == event_id]


def scratch_outcomes(store: Store, racer_id: str, event_id: str) -> list[dict]:
    """What apex.figures makes of the laps and changes read now, counted rows only."""
    _, rows = figures.event_rows(event_id, store.list_runs(racer_id, event_id),
                                 store.list_changes(racer_id, event_id))
    return [r for r in rows if r["counted"]]


def drive(store: Store, racer_id: str, event: Event, name: str, seconds: list[Decimal]
          ) -> Run:
    run = store.add_run(racer_id, event.id, name)
    assert run is not None
    driven = store.add_laps(racer_id, run.id, seconds)
    assert driven is not None
    return driven


def change(store: Store, racer_id: str, event: Event, **values: object) -> None:
    assert store.edit_event_setup(racer_id, event.id, values, source="manual") is not None


def test_every_lap_write_keeps_the_figures_equal_to_the_laps(store: Store) -> None:
    user, _, event = new_event(store)
    rid = user.racer_id
    run = store.add_run(rid, event.id, "Q1")
    assert run is not None
    assert store.run_figures(rid, event.id) == {run.id: None}  # a run without laps
    short = store.add_run(rid, event.id, "Q2")  # 3 laps: flagged against the day's pace
    assert short is not None
    writes = [
        lambda: store.add_laps(rid, run.id, laps("31.1", "45.5", "31.3", "12.0", "31.2")),
        lambda: store.add_laps(rid, short.id, laps("31.0", "40.0", "31.2")),
        lambda: store.add_laps(rid, run.id, laps("30.9", "31.0")),
        lambda: store.set_lap_flag(rid, run.id, 2, "in"),
        lambda: store.set_lap_flag(rid, run.id, 7, "out"),
        lambda: store.delete_lap(rid, run.id, 1),
        lambda: store.restore_lap(rid, run.id, 1),
        lambda: store.delete_lap(rid, short.id, 2),
    ]
    for write in writes:
        assert write() is not None
        assert store.run_figures(rid, event.id) == expected(store, rid, event.id)
        # Race Support reads both at once: the same as the two reads.
        assert store.runs_with_figures(rid, event.id) == (
            store.list_runs(rid, event.id, laps=False), store.run_figures(rid, event.id))
        # Race Support's lap list from the stored flags is the one from the laps.
        runs, stored = store.list_runs(rid, event.id), store.run_figures(rid, event.id)
        for r in runs:
            assert lap_rows(runs, r, stored[r.id]) == lap_rows(runs, r)
    stats = store.run_figures(rid, event.id)[run.id]
    assert stats is not None and stats.laps == 7 and stats.flags[1] == "clean"


def test_outcomes_follow_changes_and_lap_edits(store: Store) -> None:
    user, _, event = new_event(store)
    rid = user.racer_id
    first = drive(store, rid, event, "P1", STEADY)
    change(store, rid, event, DF=NB48["DF"] + 1000)
    change(store, rid, event, SO_F=NB48["SO_F"] + 50)  # bundled with DF: one gap
    assert stored_outcomes(store, rid, event.id) == scratch_outcomes(store, rid, event.id)
    second = drive(store, rid, event, "P2", FASTER)
    now = stored_outcomes(store, rid, event.id)
    assert now == scratch_outcomes(store, rid, event.id)
    assert [(o["parameter"], o["outcome"], o["bundled"]) for o in now] == [
        ("DF", "success", True), ("SO_F", "success", True)]
    # Flag out the fast laps one by one: too few clean laps left, no verdict.
    for n in (1, 2, 3):
        store.set_lap_flag(rid, second.id, n, "out")
        assert stored_outcomes(store, rid, event.id) == scratch_outcomes(store, rid, event.id)
    assert {o["outcome"] for o in stored_outcomes(store, rid, event.id)} == {""}
    store.set_lap_flag(rid, second.id, 1, "")
    store.delete_lap(rid, first.id, 1)
    assert stored_outcomes(store, rid, event.id) == scratch_outcomes(store, rid, event.id)
    assert store.run_figures(rid, event.id) == expected(store, rid, event.id)
    # The undo of a change: reverted, judged by nothing.
    undone = next(c for c in store.list_changes(rid, event.id) if c.parameter == "SO_F")
    store.revert_change(rid, undone.id)
    drive(store, rid, event, "P3", SLOWER)
    assert stored_outcomes(store, rid, event.id) == scratch_outcomes(store, rid, event.id)


def test_the_aggregate_is_tried_here_over_full_summaries(store: Store) -> None:
    user, car, event = new_event(store)
    rid = user.racer_id
    twin = store.add_car(rid, {**CAR, "nickname": "Red"}, NB48)
    assert twin is not None
    events = [event]
    for n in range(3):
        if n:
            store.close_event(rid, events[-1].id, EVENT["start_date"],
                              {"rating": 4, "gain": "Consistency"})
            driver = car if n == 1 else twin
            started = store.start_event(rid, {**EVENT, "name": f"Cup {n}",
                                              "car_id": driver.id}, NB48)
            assert started is not None
            events.append(started)
        e = events[-1]
        drive(store, rid, e, "P1", STEADY)
        change(store, rid, e, DF=NB48["DF"] + 1000)
        drive(store, rid, e, "P2", FASTER if n != 1 else SLOWER)
        change(store, rid, e, DR=NB48["DR"] - 1000)
        drive(store, rid, e, "P3", SLOWER)
        change(store, rid, e, SP_F="Red")  # never run: not judged yet
    summaries = [summarise(r) for r in store.event_history(rid)]
    # The history list's lines from stored figures are the ones from the laps.
    assert [(s.record.event, s.record.audit, s.best_lap, s.best_stats, s.judged)
            for s in stored_summaries(store.history_figures(rid))] == [
        (s.record.event, s.record.audit, s.best_lap, s.best_stats, s.judged)
        for s in summaries]
    assert any(s.judged for s in summaries)
    for leave_out in ((), (events[0].id,)):
        rows = store.tried_at(rid, EVENT["track"].upper(), EVENT["condition"],
                              leave_out=leave_out)
        for who in (car, twin):
            want = tried_here(s for s in summaries if s.record.event.car_id == who.id
                              and s.record.event.id not in leave_out)
            got = {(t.parameter, t.direction): t for t in rows if t.car_id == who.id}
            assert set(got) == set(want)
            for key, tried in want.items():
                row = got[key]
                assert (row.tries, row.faster, row.slower, row.bundled) == (
                    tried.tries, tried.faster, tried.slower, tried.bundled)
                assert row.effects == sorted(tried.effects)
        assert store.tried_at(rid, "Elsewhere", leave_out=leave_out) == []
    place = place_history(summaries, car, {c.id: c for c in store.list_cars(rid)})
    assert place.own  # the history reads the same figures
    best = min(s.top5 for e in events if e.car_id == car.id
               for s in event_run_stats(store.list_runs(rid, e.id))
               if s is not None and s.comparable and s.top5 is not None)
    assert store.best_top5(rid, car.id, EVENT["track"]) == best
    assert store.best_top5(rid, car.id, EVENT["track"], leave_out=[events[0].id, events[1].id]
                           ) is None


def test_figures_are_the_racers_own(store: Store) -> None:
    user, _, event = new_event(store)
    drive(store, user.racer_id, event, "P1", STEADY)
    change(store, user.racer_id, event, DF=NB48["DF"] + 1000)
    drive(store, user.racer_id, event, "P2", FASTER)
    bob = new_user(store, "bob")
    assert store.run_figures(bob.racer_id, event.id) == {}
    assert store.run_figures(user.racer_id, "not-a-uuid") == {}
    assert store.runs_with_figures(bob.racer_id, event.id) == ([], {})
    assert store.runs_with_figures(user.racer_id, "not-a-uuid") == ([], {})
    assert store.history_figures(bob.racer_id) == HistoryFigures([], {}, [], [])
    assert store.tried_at(bob.racer_id, EVENT["track"]) == []
    assert store.best_top5(bob.racer_id, event.car_id, EVENT["track"]) is None
    mine = store.history_figures(user.racer_id)
    assert len(mine.runs) == 2 and len(mine.outcomes) == 1 and len(mine.events) == 1


def test_a_run_without_its_figures_row_still_counts_its_laps(pg_url: str) -> None:
    """PostgreSQL reads a listed run's lap count from its figures row; were that row
    missing (every lap write keeps it), the live laps are counted instead, not 0."""
    import psycopg

    from apex.db import make_store
    from tests import pg_server

    pg_server.truncate_all(pg_url)
    store = make_store({"DATABASE_URL": pg_url})
    try:
        user, _, event = new_event(store)
        run = drive(store, user.racer_id, event, "P1", STEADY)
        store.delete_lap(user.racer_id, run.id, 1)
        with psycopg.connect(pg_url, autocommit=True) as conn:
            conn.execute("DELETE FROM run_figures WHERE run_id = %s", (run.id,))
        runs, stats = store.runs_with_figures(user.racer_id, event.id)
        assert [r.lap_count for r in runs] == [len(STEADY) - 1] and stats == {}
    finally:
        store.close()


def test_stored_stats_are_made_only_when_asked_for() -> None:
    """Race Support's note save reads the runs with their figures and shows none: a run's
    RunStats is made when first asked for (a row that could make none shows it)."""
    row = {"laps": 2, "clean": 2, "flags": "clean,clean", "best": 30.1, "mean": 30.2,
           "median": 30.2, "sd": None, "cov_pct": None, "consistency": None, "top5": None,
           "top10": None, "best3": None, "fade": None, "fading": False}
    stats = figures.StoredStats({"a": row, "b": {}})
    assert list(stats) == ["a", "b"] and len(stats) == 2  # "b" not made yet: no KeyError
    made = stats["a"]
    assert made == figures.stats_of(row) and stats["a"] is made  # made once
    with pytest.raises(KeyError):
        stats["b"]  # made only now, when asked for
