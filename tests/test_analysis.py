"""Post Event Analysis (tab 4) over HTTP, on both stores: statistics, charts, change
impact, the closing audit, history, race report and CSV exports."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal

import pytest

from tests.conftest import CAR, EVENT, NB48, hx, racer, store_of

# Practice 1 median 31.2, Practice 2 median 30.9: 0.96 % faster, beyond the 0.1 s spread.
P1 = [Decimal(s) for s in ("31.1", "31.2", "31.3", "31.2", "31.1", "31.3", "31.2")]
P2 = [Decimal(s) for s in ("30.8", "30.9", "31.0", "30.9", "30.8", "31.0", "30.9")]


def race_day(app, *, p1=P1, p2=P2, name="Winter Cup", **event):
    """Two runs around one change (DF 7000 -> 6000)."""
    store, rid = store_of(app), racer(app)
    cars = store.list_cars(rid)
    car = cars[0] if cars else store.add_car(rid, CAR, NB48)
    ev = store.start_event(rid, {**EVENT, "name": name, **event, "car_id": car.id}, NB48)
    first = store.add_run(rid, ev.id, "Practice 1")
    store.add_laps(rid, first.id, list(p1))
    store.edit_event_setup(rid, ev.id, {"DF": 6000}, source="manual")
    second = store.add_run(rid, ev.id, "Practice 2")
    store.add_laps(rid, second.id, list(p2))
    return ev


def test_statistics_charts_and_verdict(alice, app):
    event = race_day(app)
    page = alice.get(f"/analysis/{event.id}")
    assert page.status_code == 200
    text = page.text
    # Practice 2 is the best run: median 30.900.
    assert "Practice 2 <span class=\"badge\">best run</span>" in text
    assert "<dt>Median</dt><dd>30.900</dd>" in text and "<dt>Median</dt><dd>31.200</dd>" in text
    # 31.2 -> 30.9 with no unchanged pair of runs: no drift to take off.
    assert "<b>Success</b>: 0.30 s/lap faster (± " in text and "trend unknown" in text
    # One lap chart per run, the run comparison and the timeline: well-formed SVG.
    svgs = [part.split("</svg>")[0] + "</svg>" for part in text.split("<svg")[1:]]
    charts = [ET.fromstring("<svg" + s) for s in svgs if 'role="img"' in s]
    assert len(charts) == 4
    assert "Practice 2: 7 laps" in text  # a chart's text alternative


def test_run_figures_leave_out_a_double_hit_and_a_tumble(alice, app):
    # Practice 2 with a 4.2 (short: under .75 x R) and a 45.0 (an incident) added:
    # R = median of 9 laps = 30.9, clean laps as before (7: 30.8 .. 31.0)
    p2 = [*P2[:3], Decimal("4.2"), *P2[3:5], Decimal("45.0"), *P2[5:]]
    event = race_day(app, p2=p2)
    text = alice.get(f"/analysis/{event.id}").text
    assert "<dt>Laps</dt><dd>7 of 9</dd>" in text
    assert "<dt>Best</dt><dd>30.800</dd>" in text  # not 4.200
    # top-5 (30.8 + 30.8 + 30.9 + 30.9 + 30.9) / 5 = 30.86
    assert "<dt>Top-5 avg</dt><dd>30.860</dd>" in text
    assert "Left out of the figures: 1 incident (lap 7) · 1 short (lap 4)" in text
    assert "<b>Success</b>: 0.30 s/lap faster" in text  # the gain is still seen


def test_a_gain_within_the_runs_own_spread_is_not_claimed(alice, app):
    # Medians 31.2 and 31.1 (0.32 % faster) but Practice 1 spreads by 0.5 s lap to lap.
    wide = [Decimal(s) for s in ("30.5", "31.9", "31.2", "30.6", "31.8", "31.2", "31.1")]
    event = race_day(app, p1=wide, p2=[Decimal("31.1")] * 7)
    text = alice.get(f"/analysis/{event.id}").text
    assert "<b>Neutral</b>: within your normal variation: 0.10 s/lap faster (± " in text


@pytest.mark.parametrize("laps", [[], [Decimal("31.5")], [Decimal("31.5"), Decimal("70.0")]])
def test_empty_and_tiny_events_show_sensible_states(alice, app, laps):
    store, rid = store_of(app), racer(app)
    car = store.add_car(rid, CAR, NB48)
    event = store.start_event(rid, {**EVENT, "car_id": car.id}, NB48)
    if laps:
        run = store.add_run(rid, event.id, "Q1")
        store.add_laps(rid, run.id, laps)
    page = alice.get(f"/analysis/{event.id}")
    assert page.status_code == 200
    assert ("No runs recorded" in page.text) == (not laps)
    assert alice.get(f"/analysis/{event.id}/report").status_code == 200
    assert alice.get(f"/analysis/{event.id}/laps.csv").status_code == 200


def test_a_run_without_laps_is_an_empty_state(alice, app):
    store, rid = store_of(app), racer(app)
    car = store.add_car(rid, CAR, NB48)
    event = store.start_event(rid, {**EVENT, "car_id": car.id}, NB48)
    store.add_run(rid, event.id, "Q1")
    page = alice.get(f"/analysis/{event.id}")
    assert page.status_code == 200 and "No laps in this run." in page.text


def test_closing_with_an_audit_keeps_the_lap_verdict_and_locks_the_event(alice, app):
    event = race_day(app)  # the laps: DF thinner made the car 0.30 s/lap faster
    response = alice.post(f"/analysis/{event.id}/close", data={
        "rating": "2", "symptom": "Rear loose", "gain": "Corner exit",
        "observation": "Loose on the exit of every 180", "best_lap": "30.512",
        "end_date": "2026-11-22"}, follow_redirects=True)
    assert response.status_code == 200 and "Closed Winter Cup: rated 2/5." in response.text
    rid = racer(app)
    audit = store_of(app).get_audit(rid, event.id)
    assert (audit.rating, audit.symptom, audit.gain, audit.best_lap) == (
        2, "Rear loose", "", Decimal("30.512"))
    # The audit is the racer's opinion beside the laps' verdict, never over it.
    assert "<b>Success</b>: 0.30 s/lap faster" in response.text
    assert "laps: faster · you: felt worse" in response.text
    assert "Reopen" in response.text and "Close the event" not in response.text
    # Read-only: the setup, notes and laps refuse writes.
    assert store_of(app).get_event(rid, event.id).status == "closed"
    alice.post(f"/race/{event.id}/notes", data={"note": "late note"})
    assert store_of(app).list_event_logs(rid, event.id) == []
    # Reopening is explicit.
    alice.post(f"/analysis/{event.id}/reopen")
    assert store_of(app).get_event(rid, event.id).is_active


@pytest.mark.parametrize(("form", "message"), [
    ({}, "Rate the event from 1 to 5."),
    ({"rating": "1"}, "pick what went wrong"),
    ({"rating": "5"}, "pick what got better"),
    ({"rating": "3", "best_lap": "3x.1"}, "Best lap: not a lap time"),
    ({"rating": "4", "gain": "Speed"}, "Pick what got better from the list."),
])
def test_a_bad_audit_is_422_and_closes_nothing(alice, app, form, message):
    event = race_day(app)
    response = alice.post(f"/analysis/{event.id}/close",
                          data={"observation": "kept", **form}, headers=hx("audit"))
    assert response.status_code == 422
    assert message in response.text and "<html" not in response.text
    assert ">kept</textarea>" in response.text
    rid = racer(app)
    assert store_of(app).get_event(rid, event.id).is_active
    assert store_of(app).get_audit(rid, event.id) is None


def test_history_groups_by_track_and_says_what_worked(alice, app):
    store, rid = store_of(app), racer(app)
    first = race_day(app)
    store.close_event(rid, first.id, date(2026, 11, 21), {"rating": 5, "gain": "Corner exit"})
    race_day(app, name="Dry day", condition="Smooth", start_date=date(2026, 12, 1))
    page = alice.get("/analysis/")
    assert "Mac&#39;s Track" in page.text and "Winter Cup" in page.text and "Dry day" in page.text
    there = alice.get("/analysis/", query_string={"track": "mac's track", "condition": "Bumpy"})
    history = there.text.split('id="history"')[1]
    # DF thinner once here: 31.2 -> 30.9 = -0.96 %, in words, never "DF".
    assert ("<strong>Front diff oil thinner</strong>: 1 try, 1 faster, \u22120.96 % on average"
            in history)
    assert "✓ F diff oil thinner" in history and ">DF" not in history
    assert "Dry day" not in history  # (it is only offered above, as the open event)
    fragment = alice.get("/analysis/", query_string={"track": "Mac's Track"},
                         headers=hx("history"))
    assert "<html" not in fragment.text and "Dry day" in fragment.text


def test_report_and_csv_exports(alice, app):
    event = race_day(app)
    report = alice.get(f"/analysis/{event.id}/report")
    assert "Winter Cup" in report.text and "<textarea" in report.text
    download = alice.get(f"/analysis/{event.id}/report?download=1")
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.text.startswith("# Winter Cup · Practice · 21 Nov 2026")
    assert "filename=\"2026-11-21-winter-cup-report.md\"" in download.headers["Content-Disposition"]
    laps = alice.get(f"/analysis/{event.id}/laps.csv")
    assert laps.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(laps.text.lstrip("\ufeff"))))
    assert len(rows) == 1 + 14 and rows[1][:4] == ["Winter Cup", "Practice 1", "1", "31.100"]
    changes = alice.get(f"/analysis/{event.id}/changes.csv")
    assert "DF" in changes.text and "0.30 s/lap faster" in changes.text


def test_the_demo_race_day_analyses(alice, app):
    store, rid = store_of(app), racer(app)
    car = store.add_car(rid, CAR, NB48)
    from apex.demo import seed_race_day

    event_id = seed_race_day(store, rid, car.id, runs=3, laps_per_run=40)
    page = alice.get(f"/analysis/{event_id}")
    # 3 lap charts, run by run, and the timeline; 40 laps each.
    assert page.status_code == 200 and page.text.count('role="img"') == 5
    assert "Practice 3: 40 laps" in page.text


def test_another_racers_event_is_404(alice, app, auth, client):
    event = race_day(app)
    auth.logout()
    auth.signup("bob")
    for method, url in [("get", f"/analysis/{event.id}"), ("post", f"/analysis/{event.id}/close"),
                        ("post", f"/analysis/{event.id}/reopen"),
                        ("get", f"/analysis/{event.id}/report"),
                        ("get", f"/analysis/{event.id}/laps.csv"),
                        ("get", f"/analysis/{event.id}/changes.csv")]:
        assert getattr(client, method)(url, data={"rating": "5", "gain": "Consistency"}
                                       if method == "post" else None).status_code == 404, url
    assert store_of(app).get_event(racer(app), event.id).is_active
    assert "Winter Cup" not in client.get("/analysis/").text


def test_a_run_under_5_clean_laps_shows_its_laps_but_is_compared_with_nothing(alice, app):
    """TUNING §5: fewer than 5 clean laps: its own lap chart, but no point in the
    run-by-run comparison or the changes timeline (its slot and name stay)."""
    event = race_day(app)
    store, rid = store_of(app), racer(app)
    short = store.add_run(rid, event.id, "Practice 3")
    store.add_laps(rid, short.id, [Decimal("29.0"), Decimal("29.1"), Decimal("29.2")])
    text = alice.get(f"/analysis/{event.id}").text
    assert "Practice 3: 3 laps" in text  # its own lap chart
    ns = "{http://www.w3.org/2000/svg}"
    svgs = ["<svg" + part.split("</svg>")[0] + "</svg>" for part in text.split("<svg")[1:]]
    compared = [ET.fromstring(s) for s in svgs
                if 'aria-labelledby="chart-best-and-median' in s
                or 'aria-labelledby="chart-median-lap-per-r' in s]
    assert len(compared) == 2  # the runs chart and the changes timeline
    for chart in compared:
        assert "Practice 3" in [t.text for t in chart.iter(f"{ns}text")]  # its slot
        medians = [g for g in chart.iter(f"{ns}g") if g.get("class") == "chart-median"]
        assert len(list(medians[0].iter(f"{ns}circle"))) == 2  # Practice 1 and 2 only


def test_the_timeline_shows_net_changes_at_the_gap_they_were_made_in(alice, app):
    # After Practice 1: SO_F thicker and undone (nets out), DF thinner; then Practice 2.
    store, rid = store_of(app), racer(app)
    car = store.add_car(rid, CAR, NB48)
    ev = store.start_event(rid, {**EVENT, "car_id": car.id}, NB48)
    first = store.add_run(rid, ev.id, "Practice 1")
    store.add_laps(rid, first.id, P1)
    (thicker,) = store.edit_event_setup(rid, ev.id, {"SO_F": 500}, source="manual").changes
    store.revert_change(rid, thicker.id)
    store.edit_event_setup(rid, ev.id, {"DF": 6000}, source="manual")
    second = store.add_run(rid, ev.id, "Practice 2")
    store.add_laps(rid, second.id, P2)
    text = alice.get(f"/analysis/{ev.id}").text
    timeline = next(ET.fromstring("<svg" + part.split("</svg>")[0] + "</svg>")
                    for part in text.split("<svg")[1:] if "chart-change-labels" in part)
    ns = "{http://www.w3.org/2000/svg}"
    labels = [el.text for g in timeline.iter(f"{ns}g") if g.get("class") == "chart-change-labels"
              for el in g.iter(f"{ns}text")]
    assert labels == ["F diff oil thinner"]  # the undone shock oil shows nothing
    assert "Practice 1: 31.200 s. Then F diff oil thinner. Practice 2: 30.900 s." in text
    # Both shock oil rows read "reverted"; the diff oil is judged alone.
    assert text.count("<span class=\"verdict\">reverted</span>") == 2
    assert "Judged together with" not in text
