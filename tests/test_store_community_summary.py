"""Community ranges: the PostgreSQL store sums a car's library rows up in one SQL
aggregate (the rows never read into Python); the answer is what apex.community
summarises from the same rows, on both stores: counts, min, max, the exact median of an
even or odd count (ints and decimals), the most common text ignoring case as first
written, a tie going to the newest row's value."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from apex.community import Summary, summarize
from apex.store import Store
from tests.conftest import new_user
from tests.test_store_library import DEMO, item

# (days back, DF, RH_F, SP_F): newest first once sorted by date.
ROWS = [
    (1, 7000, Decimal("27.5"), "Green"),
    (2, 7500, Decimal("28.0"), "green "),
    (3, None, Decimal("26.5"), "Blue"),
    (4, 6000, None, "BLUE"),
    (5, 10000, Decimal("30.0"), None),
]


@pytest.fixture
def rows(store: Store) -> None:
    user = new_user(store)
    today = date(2026, 6, 1)
    store.add_library_baselines(user.racer_id, [
        item(DEMO[0], brand="Tekno", vehicle="NB48 2.2", track="Summary Park",
             condition="Dry", date=today - timedelta(days=back), DF=df, RH_F=rh, SP_F=sp)
        for back, df, rh, sp in ROWS])
    # Another car: never counted.
    store.add_library_baselines(user.racer_id, [item(DEMO[0], brand="Tekno", vehicle="NT48",
                                                     track="Summary Park", DF=1000)])


def test_the_summary_is_what_the_rows_make(store: Store, rows: None) -> None:
    summary = store.community_summary("tekno", "nb48 2.2")
    assert summary == summarize(store.community_values("tekno", "nb48 2.2"))
    assert summary.rows == 5
    assert summary.params["DF"] == Summary(4, 6000, Decimal(7250), 10000)
    assert summary.params["RH_F"] == Summary(4, Decimal("26.5"), Decimal("27.75"),
                                             Decimal("30.0"))
    # green (2) and blue (2) tie: the newest row's, as it was written.
    assert summary.params["SP_F"] == Summary(4, common="Green", common_count=2)


def test_narrowed_and_unknown_cars(store: Store, rows: None) -> None:
    narrow = store.community_summary("Tekno", "NB48 2.2", "summary park", "DRY")
    assert narrow == summarize(store.community_values("Tekno", "NB48 2.2", "summary park",
                                                      "DRY"))
    empty = store.community_summary("Tekno", "NB48")
    assert empty.rows == 0 and all(s == Summary() for s in empty.params.values())


def test_an_odd_count_has_the_middle_value(store: Store, rows: None) -> None:
    user = new_user(store, "bob")
    store.add_library_baselines(user.racer_id, [item(DEMO[0], brand="Tekno",
                                                     vehicle="NB48 2.2", track="Odd Park",
                                                     DF=9000)])
    summary = store.community_summary("Tekno", "NB48 2.2")
    assert summary.params["DF"].middle == 7500
    assert summary == summarize(store.community_values("Tekno", "NB48 2.2"))
