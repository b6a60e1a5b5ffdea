"""One event's analysis with many runs: their statistics and lap charts newest first,
``RUN_PAGE`` at a time, "Older runs" as a plain link and as an HTMX fragment; the
charts and verdicts still over every run (issue 17). HTTP, both stores."""

from __future__ import annotations

import html
import re
from decimal import Decimal

import pytest

from apex.blueprints.analysis.event import RUN_PAGE
from tests.conftest import CAR, EVENT, NB48, hx, racer, store_of

RUNS = 12
CHART = '<figure class="chart"><svg'


@pytest.fixture
def event(app, alice):
    store, rid = store_of(app), racer(app)
    car = store.add_car(rid, CAR, NB48)
    ev = store.start_event(rid, {**EVENT, "car_id": car.id}, NB48)
    for i in range(RUNS):
        run = store.add_run(rid, ev.id, f"Heat {i + 1:02d}")
        store.add_laps(rid, run.id, [Decimal(f"{31 + i / 100 + j / 1000:.3f}")
                                     for j in range(6)])
    return ev


def _heats(page: str) -> list[str]:
    return re.findall(r"<h3>(Heat \d\d)", page)


def _more(page: str) -> str | None:
    match = re.search(r'<a class="btn more wide" href="([^"#]+)', page)
    return html.unescape(match[1]) if match else None


def test_runs_newest_first_a_page_at_a_time(alice, event):
    newest = [f"Heat {i:02d}" for i in range(RUNS, 0, -1)]
    url, pages = f"/analysis/{event.id}", []
    while url:
        response = alice.get(url)
        assert response.status_code == 200
        pages.append(_heats(response.text))
        url = _more(response.text)
    assert [len(p) for p in pages] == [RUN_PAGE, RUN_PAGE, RUNS - 2 * RUN_PAGE]
    assert [h for p in pages for h in p] == newest


def test_the_charts_still_cover_every_run_and_only_shown_runs_draw_laps(alice, event):
    page = alice.get(f"/analysis/{event.id}").text
    assert page.count(CHART) == RUN_PAGE + 2  # lap charts of the page, runs, timeline
    assert "Heat 01" in page.split("Run by run")[1]  # the runs chart has them all


def test_older_runs_as_a_fragment_and_without_js(alice, event):
    first = alice.get(f"/analysis/{event.id}").text
    more = _more(first)
    assert 'id="runs-more"' in first and 'hx-target="#runs-more"' in first
    fragment = alice.get(more, headers=hx("runs-more"))
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert _heats(fragment.text) == [f"Heat {i:02d}" for i in range(7, 2, -1)]
    assert "Run by run" not in fragment.text and "audit-form" not in fragment.text
    assert fragment.text.count(CHART) == RUN_PAGE
    page = alice.get(more)
    assert "<html" in page.text and "Back to the newest runs" in page.text
    assert _heats(page.text) == _heats(fragment.text)


def test_a_run_that_is_not_of_this_event_is_a_400(alice, app, event):
    store, rid = store_of(app), racer(app)
    other_car = store.add_car(rid, {**CAR, "nickname": "Red"}, NB48)
    other = store.start_event(rid, {**EVENT, "name": "Other", "car_id": other_car.id}, NB48)
    stranger = store.add_run(rid, other.id, "Elsewhere")
    for before in (stranger.id, "nope", "00000000-0000-0000-0000-000000000000"):
        page = alice.get(f"/analysis/{event.id}", query_string={"before": before})
        assert page.status_code == 400 and "That page link is broken" in page.text


def test_another_racers_event_stays_a_404(alice, app, event, client):
    store = store_of(app)
    bob = store.create_user("bob", "bob@example.com", "hash")
    car = store.add_car(bob.racer_id, CAR, NB48)
    theirs = store.start_event(bob.racer_id, {**EVENT, "car_id": car.id}, NB48)
    run = store.add_run(bob.racer_id, theirs.id, "Bob's heat")
    assert alice.get(f"/analysis/{theirs.id}", query_string={"before": run.id}).status_code == 404
