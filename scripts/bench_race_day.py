"""The race-day tabs for bench_pages: Event Setup (1), Advisor (2) and its Theory
library, Race Support (3), Analysis (4).

The demo racer's seeded event (``apex.demo.seed_race_day``: 3 runs of 12 laps,
changes, notes) is what the pages show; the fragments are the forms a racer
submits most in the pits.
"""

from __future__ import annotations

from typing import Any

from bench_fragments import Case


def active_event(store: Any, racer_id: str) -> Any:
    """The demo's own race day (the first event started)."""
    events = [e for e in store.list_events(racer_id) if e.is_active]
    if not events:
        raise SystemExit("bench_pages: the demo racer has no active event (seed_race_day)")
    return min(events, key=lambda e: e.created_at)


def long_event(store: Any, racer_id: str) -> str:
    """A second event, on the demo's other car: 3 runs of 40 laps each, for the analysis
    page at its heaviest (5 charts, 120 laps)."""
    from apex.demo import seed_race_day

    cars = store.list_cars(racer_id)
    busy = {e.car_id for e in store.list_events(racer_id) if e.is_active}
    free = next(c for c in cars if c.id not in busy)
    return seed_race_day(store, racer_id, free.id, runs=3, laps_per_run=40)


def race_day_pages(store: Any, racer_id: str, login: tuple[str, str]) -> list:
    """(name, path, login) of the race-day pages, for bench_wire.measure_pages."""
    event = active_event(store, racer_id)
    long = long_event(store, racer_id)
    return [
        ("Events", "/event/", login),
        ("Start an event", "/event/new", login),
        ("Event setup", f"/event/{event.id}", login),
        ("Push to Shop Master", f"/event/{event.id}/push", login),
        ("Race Support", f"/race/{event.id}", login),
        ("Advisor", f"/advisor/{event.id}", login),
        ("Theory search", "/theory/?q=shock+oil+temperature", login),
        ("Analysis (3x40 laps)", f"/analysis/{long}", login),
        ("Analysis history", "/analysis/", login),
        ("Race report", f"/analysis/{long}/report", login),
    ]


def race_day_cases(client: Any, token: str, store: Any, racer_id: str) -> list[Case]:
    """Save the event setup (each time a real change), its 422 and its two-phone 409;
    the start form's suggestions; Race Support's note, symptom, laps and run forms."""
    from apex.catalogue import as_texts

    event = active_event(store, racer_id)
    setup = store.get_event_setup(racer_id, event.id)
    texts = as_texts(setup.values)
    save = {**texts, "version": str(setup.version), "DF": "6500"}

    def next_version() -> None:
        """Each save must come from the current version and change something."""
        save["version"] = str(store.get_event_setup(racer_id, event.id).version)
        save["DF"] = "7000" if save["DF"] == "6500" else "6500"

    run = store.list_runs(racer_id, event.id)[-1]
    seeded_logs = {log.id for log in store.list_event_logs(racer_id, event.id)}

    def drop_added_laps() -> None:
        """Each repetition measures the run as seeded, not one 200 laps long."""
        while len(laps := store.get_run(racer_id, run.id).laps) > len(run.laps):
            store.delete_lap(racer_id, run.id, laps[-1].lap_number)

    def drop_proposals() -> None:
        """Deny what an ask proposed, so the page does not pile up pending proposals.
        (Denied ones are not proposed again: later asks get the next candidates. The
        size reported is the first answer's, the time the median of all.)"""
        for change in store.list_changes(racer_id, event.id):
            if change.status == "pending":
                store.deny_proposal(racer_id, change.id)
        drop_added_logs()

    def drop_added_logs() -> None:
        for log in store.list_event_logs(racer_id, event.id):
            if log.id not in seeded_logs:
                store.delete_track_log(racer_id, log.id)

    laps = "Lap\tTime\tPos\n" + "\n".join(f"{i}\t{31 + i / 10:.3f}\t{i % 9 + 1}"
                                          for i in range(1, 11))
    # A LiveRC lap chart of three drivers: the driver question, then one driver's preview.
    chart = "Lap\tANNA\tTOM\tLEA\n" + "\n".join(
        f"{i}\t1/{40 + i / 10:.3f}\t2/{41 + i / 10:.3f}\t3/{42 + i / 10:.3f}"
        for i in range(1, 13))
    base = f"/race/{event.id}"
    return [
        Case("save event setup", "event-setup", client, f"/event/{event.id}/setup", save, 200,
             token, next_version),
        Case("event setup 422", "event-setup", client, f"/event/{event.id}/setup",
             {**texts, "version": str(setup.version), "SO_F": "9999"}, 422, token),
        Case("event setup 409 (2 phones)", "event-setup", client, f"/event/{event.id}/setup",
             {**texts, "version": "1", "DF": "8000"}, 409, token),
        Case("start: suggestions", "baseline-choice", client,
             "/event/new?track=Mac%27s+Track&condition=Bumpy", None, 200, token),
        # The note form answers with itself (emptied) and the new note alone (issue 17).
        Case("quick note", "note-box", client, f"{base}/notes",
             {"note": "Loose on entry into the sweeper, bottoming on the double",
              "run_id": run.id}, 200, token, drop_added_logs),
        Case("symptom tap", "symptoms", client, f"{base}/symptoms",
             {"symptom": "push_entry", "run_id": run.id}, 200, token, drop_added_logs),
        Case("paste 10 laps (table): preview", "runs", client, f"{base}/runs/{run.id}/laps",
             {"laps": laps}, 200, token, drop_added_laps),
        Case("paste 10 laps (table): save", "runs", client, f"{base}/runs/{run.id}/laps",
             {"laps": laps, "confirm": "1"}, 200, token, drop_added_laps),
        Case("lap chart: whose laps?", "runs", client, f"{base}/runs/{run.id}/laps",
             {"laps": chart}, 200, token),
        Case("lap chart: preview", "runs", client, f"{base}/runs/{run.id}/laps",
             {"laps": chart, "driver": "TOM"}, 200, token),
        Case("laps 422 (bad line)", "runs", client, f"{base}/runs/{run.id}/laps",
             {"laps": "31.842\n3x.1\n1:02.417"}, 422, token),
        Case("audit 422 (no symptom)", "audit", client, f"/analysis/{event.id}/close",
             {"rating": "2", "observation": "Loose everywhere"}, 422, token),
        Case("history: one track", "history", client, "/analysis/?track=Mac%27s+Track",
             None, 200, token),
        Case("advisor: push entry", "advice", client, f"/advisor/{event.id}/ask",
             {"symptom": "push_entry"}, 200, token, drop_proposals),
        # Last: each repetition adds a run (there is no run delete), which the cases
        # above would otherwise see. The runs section, the forms' run markers out of band.
        Case("start a run", "runs", client, f"{base}/runs",
             {"name": "Bench run"}, 200, token),
    ]
