"""The Store contract for reading the Setup Library: search, paging, filters, facets.

Run on both stores by the ``store`` fixture (see test_store_contract.py). Adding,
changing and deleting library rows is in test_store_library_changes.py.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from apex.catalogue import PARAM_KEYS
from apex.demo import library_rows
from apex.models import LIBRARY_FIELDS, LibraryBaseline, LibraryQuery
from apex.store import Store
from tests.conftest import new_user

DEMO = library_rows(None)


def item(row: dict, **changes: object) -> tuple[dict, dict]:
    """A demo row as ``add_library_baselines`` takes it: (fields, parameter values)."""
    row = {**row, **changes}
    return {f: row[f] for f in LIBRARY_FIELDS}, {k: row[k] for k in PARAM_KEYS}


def seed(store: Store) -> None:
    """The dozen demo baselines, nobody's (as ``flask db seed-demo`` imports them)."""
    store.import_rows({"master_library": library_rows(None)})


def find(store: Store, **query: object) -> list[LibraryBaseline]:
    return store.search_library(LibraryQuery(per_page=100, **query)).rows


def tracks(rows: list[LibraryBaseline]) -> list[tuple[str, str]]:
    return [(r.track, r.brand) for r in rows]


# -- order and paging ------------------------------------------------------------


def test_search_lists_every_row_newest_first_by_date_then_id(store: Store) -> None:
    seed(store)
    found = store.search_library(LibraryQuery(per_page=50))
    assert found.total == 12 and found.pages == 1 and len(found.rows) == 12
    order = [(r.date, r.id) for r in found.rows]
    assert order == sorted(order, reverse=True)
    assert found.rows[0].date == date(2025, 11, 16)
    # Two rows share 2025-11-02: the higher id comes first.
    same_day = [r.id for r in found.rows if r.date == date(2025, 11, 2)]
    assert same_day == sorted(same_day, reverse=True) and len(same_day) == 2


def test_search_pages_through_every_row_once(store: Store) -> None:
    seed(store)
    every = [r.id for r in find(store)]
    pages = [store.search_library(LibraryQuery(page=n, per_page=5)) for n in (1, 2, 3)]
    assert [len(p.rows) for p in pages] == [5, 5, 2]
    assert [r.id for p in pages for r in p.rows] == every
    assert {(p.total, p.pages, p.per_page) for p in pages} == {(12, 3, 5)}
    assert [p.page for p in pages] == [1, 2, 3]


def test_a_page_past_the_end_has_no_rows_but_the_total(store: Store) -> None:
    seed(store)
    found = store.search_library(LibraryQuery(page=9, per_page=5))
    assert (found.rows, found.total, found.page, found.pages) == ([], 12, 9, 3)
    narrowed = store.search_library(LibraryQuery(text="montr", page=2, per_page=5))
    assert (narrowed.rows, narrowed.total) == ([], 2)


def test_an_empty_library_is_one_empty_page(store: Store) -> None:
    found = store.search_library(LibraryQuery())
    assert (found.rows, found.total, found.pages) == ([], 0, 1)


# -- exact filters -------------------------------------------------------------------


@pytest.mark.parametrize(("field", "value", "count"), [
    ("brand", "tekno", 6), ("brand", "TEKNO", 6), ("brand", "Tekn", 0),
    ("vehicle", "nb48 2.2", 3), ("vehicle", "NB48", 0),
    ("track", "mac's track", 3), ("track", "Mac", 0),
    ("condition", "WET, MUDDY", 2), ("condition", "Wet", 0),
])
def test_filters_match_whole_values_case_insensitively(
    store: Store, field: str, value: str, count: int
) -> None:
    seed(store)
    rows = find(store, **{field: value})
    assert len(rows) == count
    assert all(getattr(r, field).lower() == value.lower() for r in rows)


def test_filters_combine_and_empty_ones_are_ignored(store: Store) -> None:
    seed(store)
    rows = find(store, brand="Tekno", vehicle="NB48 2.2", track="", condition="")
    assert sorted(r.track for r in rows) == [
        "Circuit du Lac — Montréal", "Mac's Track", "Thunder Alley"]
    assert tracks(find(store, brand="tekno", track="silver dollar")) == [
        ("Silver Dollar", "Tekno")]


def test_date_range_includes_both_ends(store: Store) -> None:
    seed(store)
    rows = find(store, date_from=date(2025, 9, 7), date_to=date(2025, 10, 18))
    assert sorted({r.date for r in rows}) == [
        date(2025, 9, 7), date(2025, 9, 21), date(2025, 10, 18)]
    assert len(rows) == 5
    assert len(find(store, date_from=date(2025, 11, 16))) == 1
    assert len(find(store, date_to=date(2025, 7, 12))) == 1
    assert find(store, date_from=date(2025, 11, 17)) == []


# -- free text -----------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("mac tra", {("Mac's Track", b) for b in ("Tekno", "Associated", "Mugen")}),
    ("montr", {("Circuit du Lac — Montréal", b) for b in ("Xray", "Tekno")}),
    ("MONTRÉAL", {("Circuit du Lac — Montréal", b) for b in ("Xray", "Tekno")}),
    ("ryan maif", {("Thunder Alley", "Associated")}),
    ("élodie xb8", {("Circuit du Lac — Montréal", "Xray")}),
    ("tekno nb48", {(t, "Tekno") for t in
                    ("Thunder Alley", "Mac's Track", "Circuit du Lac — Montréal")}),
    ("rutted", {("Mac's Track", "Mugen")}),
    ("xyz", set()),
    ("track xray", set()),  # every word must match the same row
    ("rack", set()),  # a word must start a word, not sit inside one
])
def test_every_word_must_start_a_word_of_the_row(
    store: Store, text: str, expected: set
) -> None:
    seed(store)
    assert set(tracks(find(store, text=text))) == expected


@pytest.mark.parametrize("text", [
    "a & | ! ( ) :* '", "a:*", "'a'", "!a", "(a", "a\\", "a <-> |", "a' | '",
])
def test_search_syntax_characters_are_only_separators(store: Store, text: str) -> None:
    """Only the word "a" is left: Thunder Alley's three rows and Mac's Associated."""
    seed(store)
    rows = find(store, text=text)
    assert sorted(tracks(rows)) == [("Mac's Track", "Associated"), ("Thunder Alley", "Associated"),
                                    ("Thunder Alley", "Tekno"), ("Thunder Alley", "Tekno")]


def test_text_without_words_matches_everything(store: Store) -> None:
    seed(store)
    assert len(find(store, text="  &|!():*' ")) == 12


def test_sql_in_the_text_is_just_words(store: Store) -> None:
    seed(store)
    assert find(store, text="'); DROP TABLE master_library; --") == []
    assert len(find(store)) == 12


def test_punctuation_and_underscores_split_words_on_both_stores(store: Store) -> None:
    user = new_user(store)
    store.add_library_baselines(user.racer_id, [item(
        DEMO[0], track="www.mactrack.com", vehicle="8IGHT-X 1/8", driver_name="J.Smith_Jr",
        condition="Low-Traction")])
    for text in ("smith", "jr", "j smith", "8ight x", "1 8", "mactrack com", "traction",
                 "low-tr", "J.Smith", "8"):
        assert len(find(store, text=text)) == 1, text
    for text in ("ight", "mith", "18", "smithjr"):
        assert find(store, text=text) == [], text


def test_text_and_filters_combine(store: Store) -> None:
    seed(store)
    assert tracks(find(store, text="thunder", brand="associated")) == [
        ("Thunder Alley", "Associated")]
    assert find(store, text="thunder", date_to=date(2025, 10, 1)) == []


# -- one baseline ------------------------------------------------------------------


def test_a_baseline_carries_its_fields_and_every_parameter(store: Store) -> None:
    seed(store)
    row = next(r for r in find(store, text="élodie xray"))
    demo = DEMO[8]
    assert {f: getattr(row, f) for f in LIBRARY_FIELDS} == {f: demo[f] for f in LIBRARY_FIELDS}
    assert row.values == {k: demo[k] for k in PARAM_KEYS}
    assert set(row.values) == set(PARAM_KEYS)
    assert isinstance(row.values["SB_F"], Decimal) and isinstance(row.values["DF"], int)
    assert str(row.values["SB_F"]) == "2.3"
    assert (row.submitted_by, row.submitter_name) == (None, "")
    assert store.get_library_baseline(row.id) == row


def test_unset_parameters_read_as_none(store: Store) -> None:
    seed(store)
    row = find(store, vehicle="EB48 2.2")[0]
    assert row.values["Pipe"] is None and row.values["Venturi"] is None
    assert row.values["Spur"] == 46


@pytest.mark.parametrize("bad", [99999, 0, -1, 2**40, "abc", "", None, True, 1.5, "1; --"])
def test_get_library_baseline_is_none_for_a_missing_or_bad_id(store: Store, bad: object) -> None:
    seed(store)
    assert store.get_library_baseline(bad) is None


def test_get_library_baseline_needs_no_racer(store: Store) -> None:
    seed(store)
    first = find(store)[0]
    assert store.get_library_baseline(first.id) == first
    assert store.get_library_baseline(str(first.id)) == first  # as a URL gives it


def test_the_submitter_is_credited_by_profile_name(store: Store) -> None:
    user = new_user(store)
    store.update_profile(user.racer_id, {"name": "Alice Racer"})
    (added,) = store.add_library_baselines(user.racer_id, [item(DEMO[0])])
    assert (added.submitted_by, added.submitter_name) == (user.racer_id, "Alice Racer")
    found = find(store)[0]
    assert (found.submitted_by, found.submitter_name) == (user.racer_id, "Alice Racer")
    store.update_profile(user.racer_id, {"name": "A. Racer"})
    assert store.get_library_baseline(added.id).submitter_name == "A. Racer"


# -- facets ------------------------------------------------------------------------


def test_facets_are_distinct_non_empty_and_sorted_case_insensitively(store: Store) -> None:
    seed(store)
    user = new_user(store)
    store.add_library_baselines(user.racer_id, [
        item(DEMO[0], brand="tekno", vehicle="a800", condition="", track="zandvoort"),
        item(DEMO[0], brand="Agama", vehicle="A8", condition="", track=""),
    ])
    facets = store.library_facets()
    assert facets.brands == ["Agama", "Associated", "Kyosho", "Mugen", "Tekno", "tekno", "Xray"]
    assert facets.vehicles == ["A8", "a800", "EB48 2.2", "MBX8R", "MP10", "NB48 2.2",
                               "NT48 2.2", "RC8B4", "XB8"]
    assert facets.tracks == ["Circuit du Lac — Montréal", "Mac's Track", "Pit Lane Raceway",
                             "Silver Dollar", "Thunder Alley", "zandvoort"]
    assert facets.conditions[0] == "Bumpy, Dusty" and "" not in facets.conditions
    assert len(facets.conditions) == len(set(facets.conditions)) == 9


def test_facets_of_an_empty_library_are_empty(store: Store) -> None:
    facets = store.library_facets()
    assert (facets.brands, facets.vehicles, facets.tracks, facets.conditions) == ([], [], [], [])
