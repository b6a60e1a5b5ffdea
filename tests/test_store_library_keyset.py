"""Library paging by keyset on both stores: a page after the last row of the one before
(or before the first row of the one after) is the page the offset would give, found by a
descent of the newest-first index instead of reading and skipping every row before it;
and the library page's "Older"/"Newer" links carry that row."""

from __future__ import annotations

import re
from html import unescape

from flask.testing import FlaskClient

from apex.models import LibraryQuery, cursor, parse_cursor
from apex.store import Store
from tests.conftest import racer, store_of
from tests.test_store_library import DEMO, item, seed

PER = 5


def ids(store: Store, **query: object) -> list[int]:
    return [b.id for b in store.search_library(LibraryQuery(per_page=PER, **query)).rows]


def test_keyset_pages_are_the_offset_pages(store: Store) -> None:
    seed(store)
    total = store.search_library(LibraryQuery()).total
    pages = [ids(store, page=n) for n in range(1, -(-total // PER) + 1)]
    assert sum(map(len, pages)) == total > 2 * PER
    walked, after = [], None
    for n in range(1, len(pages) + 1):
        found = store.search_library(LibraryQuery(per_page=PER, page=n, after=after))
        walked.append([b.id for b in found.rows])
        assert found.total == total and found.page == n
        after = parse_cursor(found.older)
    assert walked == pages
    # Back from the last page, by "before" the first row of each.
    last = store.search_library(LibraryQuery(per_page=PER, page=len(pages)))
    before = parse_cursor(last.newer)
    assert ids(store, page=len(pages) - 1, before=before) == pages[-2]


def test_keyset_paging_keeps_the_filters(store: Store) -> None:
    seed(store)
    everything = ids(store, text="tekno", page=1) + ids(store, text="tekno", page=2)
    first = store.search_library(LibraryQuery(text="tekno", per_page=PER))
    assert ids(store, text="tekno", after=parse_cursor(first.older)) == everything[PER:]


def test_a_cursor_reads_back() -> None:
    assert parse_cursor("2025-11-02.123") == (__import__("datetime").date(2025, 11, 2), 123)
    assert parse_cursor("") is None and parse_cursor("nonsense") is None


def test_the_older_link_names_the_last_row_shown(alice: FlaskClient, app) -> None:
    store = store_of(app)
    store.add_library_baselines(racer(app), [item(DEMO[0], track=f"Keyset Park {n}")
                                             for n in range(25)])
    first = store.search_library(LibraryQuery())
    page = alice.get("/library/")
    older = re.search(r'href="([^"]*)"[^>]*>Older', page.text)
    assert older and f"after={cursor(first.rows[-1])}" in unescape(older.group(1))
    second = alice.get(unescape(older.group(1)))
    assert second.status_code == 200 and "Page 2 of 2" in second.text
    assert [b.id for b in store.search_library(LibraryQuery(page=2)).rows][0] == int(
        re.findall(r'href="/library/(\d+)"', second.text)[0])
    newer = re.search(r'href="([^"]*)"[^>]*>← Newer', second.text)
    assert newer and "before=" not in newer.group(1)  # page 1 is the plain first page
