"""The event list and the Analysis history a page at a time, over HTTP on both stores
(issue 17): newest first, every event once across pages, "More" as a plain link and as
an HTMX fragment, filters kept, another racer's events never shown, a bad link a 400."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest

from apex.event_pages import PAGE_SIZE
from apex.paging import EventCursor
from tests.conftest import CAR, EVENT, NB48, hx, racer, store_of

LAPS = [Decimal(s) for s in ("31.1", "31.2", "31.0", "31.3", "31.1", "31.2")]


def season(app, n: int, username: str = "alice", tracks=("Mac's Track", "Ridge")):
    """``n`` closed events of one car, two a day, the tracks in turn, the odd ones with
    a run of laps; their names newest first."""
    store, rid = store_of(app), racer(app, username)
    car = store.add_car(rid, CAR, NB48)
    names = []
    for i in range(n):
        day = date(2026, 1, 1) + timedelta(days=i // 2)
        event = store.start_event(rid, {**EVENT, "name": f"{username} E{i:02d}",
                                        "start_date": day, "track": tracks[i % len(tracks)],
                                        "car_id": car.id}, NB48)
        if i % 2:
            run = store.add_run(rid, event.id, "Practice 1")
            store.add_laps(rid, run.id, LAPS)
        store.close_event(rid, event.id, day)
        names.append(event.name)
    return names[::-1]


def _names(page: str) -> list[str]:
    return re.findall(r"<strong>((?:alice|bob) E\d\d)(?: \(open\))?</strong>", page)


def _more(page: str) -> str | None:
    match = re.search(r'<a class="btn more[^"]*" href="([^"]+)"', page)
    return html.unescape(match[1]) if match else None


def _every_page(client, url: str) -> list[list[str]]:
    pages = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.text
        pages.append(_names(response.text))
        url = _more(response.text)
    return pages


@pytest.mark.parametrize("url", ["/event/", "/analysis/"])
def test_every_event_once_newest_first_page_by_page(alice, app, url):
    names = season(app, 45)
    pages = _every_page(alice, url)
    assert [len(p) for p in pages] == [PAGE_SIZE, PAGE_SIZE, 45 - 2 * PAGE_SIZE]
    assert sorted(n for p in pages for n in p) == sorted(names)  # none twice, none missing
    # Page k holds the k-th newest 20 (the history groups a page's events by place).
    assert [sorted(p) for p in pages] == [sorted(names[i:i + PAGE_SIZE])
                                          for i in range(0, 45, PAGE_SIZE)]
    if url == "/event/":
        assert [n for p in pages for n in p] == names


@pytest.mark.parametrize("url,target", [("/event/", "events-more"),
                                        ("/analysis/", "history-more")])
def test_more_appends_the_next_page_as_a_fragment(alice, app, url, target):
    names = season(app, PAGE_SIZE + 3)
    first = alice.get(url).text
    more = _more(first)
    assert f'id="{target}"' in first and f'hx-target="#{target}"' in first
    assert f'hx-get="{html.escape(more)}"' in first and 'hx-swap="outerHTML"' in first
    fragment = alice.get(more, headers=hx(target))
    assert fragment.status_code == 200
    assert "<html" not in fragment.text and "<h1" not in fragment.text
    assert sorted(_names(fragment.text)) == sorted(names[PAGE_SIZE:])
    assert _more(fragment.text) is None  # the last page has no More
    # Without JavaScript the same link is a whole page.
    page = alice.get(more)
    assert "<html" in page.text and sorted(_names(page.text)) == sorted(names[PAGE_SIZE:])
    assert "Back to the newest" in page.text


@pytest.mark.parametrize("url", ["/event/", "/analysis/"])
def test_one_page_has_no_more(alice, app, url):
    season(app, 3)
    page = alice.get(url).text
    assert len(_names(page)) == 3 and _more(page) is None


def test_the_history_filter_holds_across_pages(alice, app):
    names = season(app, 50, tracks=("Mac's Track", "Ridge", "Ridge"))
    ridge = [n for n in names if int(n[-2:]) % 3]
    pages = _every_page(alice, "/analysis/?track=ridge")
    assert [len(p) for p in pages] == [20, 13]
    assert [n for p in pages for n in p] == ridge  # one place: one group, newest first
    first = alice.get("/analysis/?track=ridge").text
    assert "track=ridge" in _more(first)
    assert "What worked at ridge" in first  # the place's panel is on the page, not on More
    fragment = alice.get(_more(first), headers=hx("history-more")).text
    assert "worked-here" not in fragment and "history-filter" not in fragment


def test_the_open_events_stay_on_top_of_every_page(alice, app):
    season(app, PAGE_SIZE + 1)
    store, rid = store_of(app), racer(app)
    car = store.add_car(rid, {**CAR, "nickname": "Red"}, NB48)
    store.start_event(rid, {**EVENT, "name": "Live day", "car_id": car.id,
                            "start_date": date(2025, 1, 1)}, NB48)
    events = alice.get("/event/").text
    assert events.index("Live day") < events.index("Past events")
    assert "Live day" not in alice.get(_more(events), headers=hx("events-more")).text
    history = alice.get("/analysis/").text
    assert "Live day (open): analyse and close" in history


def test_the_history_filter_lists_tracks_without_summarising(alice, app):
    season(app, 4, tracks=("Mac's Track", "Ridge", "mac's track"))
    page = alice.get("/analysis/").text
    options = re.findall(r"<option>([^<]+)</option>", page.split('id="f-track"')[1]
                         .split("</select>")[0])
    assert options == ["Mac's Track".replace("'", "&#39;"), "Ridge"]


def test_another_racers_events_never_show(alice, app):
    mine = season(app, PAGE_SIZE + 2)
    store_of(app).create_user("bob", "bob@example.com", "hash")
    theirs = season(app, 5, username="bob")
    for url in ("/event/", "/analysis/"):
        seen = [n for p in _every_page(alice, url) for n in p]
        assert sorted(seen) == sorted(mine) and not set(theirs) & set(seen)
    # A cursor made from one of bob's events pages alice's own events only.
    bobs = store_of(app).list_events(racer(app, "bob"))
    for url in ("/event/", "/analysis/"):
        page = alice.get(url, query_string={"before": EventCursor.of(bobs[0]).text})
        assert page.status_code == 200 and set(_names(page.text)) <= set(mine)


@pytest.mark.parametrize("url", ["/event/", "/analysis/"])
@pytest.mark.parametrize("before", ["x", "2026-01-01_12_nope", "2026-02-30_1_" + "0" * 8
                                    + "-0000-0000-0000-" + "0" * 12, "'; drop table events"])
def test_a_mangled_cursor_is_a_400_that_says_what_to_do(alice, app, url, before):
    season(app, 2)
    page = alice.get(url, query_string={"before": before})
    assert page.status_code == 400
    assert "That page link is broken" in page.text
    fragment = alice.get(url, query_string={"before": before}, headers=hx("events-more"))
    assert fragment.status_code == 400 and "<html" not in fragment.text
