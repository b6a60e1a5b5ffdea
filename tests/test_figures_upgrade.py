"""An older store gets its stored figures at ``db upgrade`` (issue 17, apex.figures):
the release 826f77d store (tests/fixtures/release_826f77d: runs, laps and changes, no
figures) upgraded on both backends holds every run's figures as ``event_run_stats``
computes them from its laps, and every change's outcome as ``judge_event`` does; an
export imported into an empty store gets them made again (they are not exported)."""

from __future__ import annotations

from flask import Flask

from apex import figures
from apex.lap_stats import event_run_stats
from apex.store import Store
from tests.conftest import store_of
from tests.test_upgrade_release import old_app, old_config, upgrade_output  # noqa: F401


def every_racer(store: Store) -> list[str]:
    return sorted({str(r["id"]) for r in store.dump_tables()["racer_profiles"]})


def check_figures(store: Store) -> int:
    """Each event's stored figures and counted outcomes against a recomputation."""
    checked = 0
    for racer_id in every_racer(store):
        stored = store.history_figures(racer_id)
        for event in store.list_events(racer_id):
            runs = store.list_runs(racer_id, event.id)
            assert store.run_figures(racer_id, event.id) == dict(zip(
                (r.id for r in runs), event_run_stats(runs), strict=True))
            _, outcomes = figures.event_rows(event.id, runs,
                                             store.list_changes(racer_id, event.id))
            assert [o for o in stored.outcomes if o["event_id"] == event.id] == [
                o for o in outcomes if o["counted"]]
            checked += len(runs)
    return checked


def test_the_upgrade_computes_the_figures_of_what_is_stored(old_app: Flask) -> None:  # noqa: F811
    upgrade_output(old_app)
    store = store_of(old_app)
    assert check_figures(store) > 0  # the release has runs with laps


def test_an_import_makes_the_figures_again(old_app: Flask, store: Store  # noqa: F811
                                           ) -> None:
    upgrade_output(old_app)
    rows = store_of(old_app).dump_tables()
    assert "run_figures" not in rows  # derived: never exported
    target = store  # an empty store of either kind
    target.import_rows(rows)
    assert check_figures(target) > 0
    assert target.history_figures(every_racer(target)[0]).runs
