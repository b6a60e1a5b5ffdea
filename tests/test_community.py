"""Community ranges: count, min, median (on the step), max, and where my value sits."""

from __future__ import annotations

from decimal import Decimal

from apex.catalogue import BY_KEY, PARAM_KEYS, PRESETS
from apex.community import ABOVE, BELOW, WITHIN, community_ranges, median_on_step


def ranges(rows, mine=None):
    return {r.key: r for r in community_ranges(rows, mine)}


ROWS = [
    {"SO_F": 400, "Toe_F": Decimal("-1.5"), "SP_F": "Green", "DF": 7000},
    {"SO_F": 450, "Toe_F": Decimal("-1.0"), "SP_F": "green", "DF": 7500},
    {"SO_F": 500, "SP_F": "Pink", "DF": None},
    {"SO_F": 600, "SP_F": "", "DF": 12000},
]


def test_median_of_an_even_count_is_the_mean_of_the_middle_two():
    so = ranges(ROWS)["SO_F"]
    assert (so.count, so.min, so.median, so.max) == (4, 400, 475, 600)
    assert isinstance(so.median, int)


def test_even_median_off_the_step_goes_to_the_nearest_step_a_tie_to_the_higher():
    df = ranges(ROWS)["DF"]  # 7000, 7500, 12000 -> odd count: 7500
    assert (df.count, df.min, df.median, df.max) == (3, 7000, 7500, 12000)
    two = ranges([{"DF": 7000}, {"DF": 7500}])["DF"]
    assert two.median == 7500  # 7250 is halfway between 7000 and 7500: the higher
    toe = ranges(ROWS)["Toe_F"]  # -1.5 and -1.0: -1.25 -> -1.0
    assert (toe.count, toe.min, toe.median, toe.max) == (
        2, Decimal("-1.5"), Decimal("-1.0"), Decimal("-1.0"))
    assert median_on_step(BY_KEY["SB_F"], [Decimal("2.3"), Decimal("2.6")]) == Decimal("2.5")
    assert median_on_step(BY_KEY["SB_F"], [Decimal("2.3"), Decimal("2.4")]) == Decimal("2.4")
    assert median_on_step(BY_KEY["RH_F"], [Decimal("27.0"), Decimal("28.0")]) == Decimal("27.5")


def test_where_my_value_sits():
    above = ranges(ROWS, {"SO_F": 650, "Toe_F": "-2.0", "DF": 7500})
    assert above["SO_F"].position == ABOVE == "above"
    assert above["Toe_F"].position == BELOW == "below the range"
    assert above["DF"].position == WITHIN == "within"
    assert above["SO_F"].mine == 650 and above["Toe_F"].mine == Decimal("-2.0")
    edges = ranges(ROWS, {"SO_F": 400, "DF": 12000})
    assert edges["SO_F"].position == WITHIN and edges["DF"].position == WITHIN
    assert ranges(ROWS, {"SO_F": None})["SO_F"].position is None
    assert ranges(ROWS, None)["SO_F"].position is None
    assert ranges(ROWS, {"RH_F": "27.0"})["RH_F"].position is None  # no community data


def test_text_parameters_give_the_most_common_value_and_its_share():
    sp = ranges(ROWS, {"SP_F": "GREEN"})["SP_F"]
    assert (sp.count, sp.common, sp.common_count) == (3, "Green", 2)  # "" is unset
    assert sp.share == 2 / 3 and sp.share_text == "2 of 3"
    assert sp.min is None and sp.median is None and sp.position is None
    assert sp.mine == "GREEN" and sp.mine_is_common
    tie = ranges([{"Tread": "Kosmos"}, {"Tread": "Relapse"}], {"Tread": "Relapse"})["Tread"]
    assert (tie.common, tie.share_text, tie.mine_is_common) == ("Kosmos", "1 of 2", False)


def test_rows_without_the_parameter_are_skipped():
    r = ranges([{"Bell": 13}, {}, {"Bell": None}, {"Bell": "14"}])
    assert (r["Bell"].count, r["Bell"].min, r["Bell"].median, r["Bell"].max) == (2, 13, 14, 14)
    assert r["Spur"].count == 0 and r["Spur"].median is None


def test_no_rows_is_an_empty_but_valid_result():
    result = community_ranges([], PRESETS["Tekno NB48 2.2"])
    assert [r.key for r in result] == list(PARAM_KEYS)
    assert all(r.count == 0 and r.min is None and r.median is None and r.max is None
               and r.position is None and r.common is None and r.share is None
               and r.share_text == "" for r in result)
    assert result[0].mine == 7000  # my values are still shown
    assert community_ranges([], None)[0].mine is None


def test_presets_as_a_community():
    r = ranges(list(PRESETS.values()), PRESETS["Tekno NB48 2.2"])
    assert (r["DF"].min, r["DF"].median, r["DF"].max) == (7000, 8500, 10000)
    assert r["DF"].position == WITHIN
    assert r["Spur"].median == 49  # 48 and 50
    assert r["ST_R"].median == Decimal("128.5")  # 122 and 135
    assert (r["Pipe"].common, r["Pipe"].share) == ("REDS 2143", 1.0)
