"""Lap times typed or pasted: lists, spreadsheet columns and timing-site tables."""

from __future__ import annotations

from decimal import Decimal

import pytest

from apex.lap_input import EMPTY, MAX_LAPS, NOT_A_TIME, parse_time
from apex.lap_reader import read_laps


def secs(*values: str) -> list[Decimal]:
    return [Decimal(v) for v in values]


# --- one time ----------------------------------------------------------------------------

@pytest.mark.parametrize(("token", "expected"), [
    ("31.842", "31.842"),
    ("1:02.417", "62.417"),  # 60 + 2.417
    ("31.8", "31.800"),
    ("31", "31.000"),
    ("1:02", "62.000"),
    ("0:31.5", "31.500"),
    ("31.842s", "31.842"),
    (" 9:59.999 ", "599.999"),  # 540 + 59.999, just under the limit
    ("0.001", "0.001"),
])
def test_parse_time_accepts_the_written_forms(token: str, expected: str):
    value = parse_time(token)
    assert value == Decimal(expected)
    assert value.as_tuple().exponent == -3  # quantized to the millisecond


@pytest.mark.parametrize(("token", "words"), [
    ("31.8425", "at most 3"),  # never rounded to 31.843
    ("0", "more than 0"),
    ("0.000", "more than 0"),
    ("600", "600 s"),
    ("10:00", "600 s"),
    ("754.2", "600 s"),
    ("1:75.0", "under 60"),
    ("1:5", NOT_A_TIME),  # seconds after the colon take two digits
    ("31,842", NOT_A_TIME),
    ("31.", NOT_A_TIME),
    (".842", NOT_A_TIME),
    ("-31.8", NOT_A_TIME),
    ("abc", NOT_A_TIME),
    ("s", NOT_A_TIME),
    ("١٢.٥", NOT_A_TIME),  # Arabic-Indic digits are not typed lap times
])
def test_parse_time_refuses_with_a_reason(token: str, words: str):
    with pytest.raises(ValueError, match=words):
        parse_time(token)


# --- lists -------------------------------------------------------------------------------

def test_the_issue_examples():
    assert read_laps("31.842").laps == secs("31.842")
    assert read_laps("1:02.417") == read_laps("62.417")


def test_a_column_pasted_from_a_spreadsheet():
    parsed = read_laps("31.842\r\n32.1\r\n\r\n1:02.417\r\n")
    assert parsed.laps == secs("31.842", "32.100", "62.417")
    assert parsed.refusals == []


def test_comma_semicolon_space_and_tab_lists():
    assert read_laps("31.842, 32.1,33").laps == secs("31.842", "32.1", "33")
    assert read_laps("31.842; 32.1;33").laps == secs("31.842", "32.1", "33")
    assert read_laps("31.842 32.1   33").laps == secs("31.842", "32.1", "33")
    assert read_laps("31.842\t32.1\t33").laps == secs("31.842", "32.1", "33")


def test_a_mixed_list_keeps_the_order_typed():
    parsed = read_laps("31.842, 32.1\n1:02.417 30.9;31\n\n29.95s")
    assert parsed.laps == secs("31.842", "32.1", "62.417", "30.9", "31", "29.95")
    assert parsed.refusals == []


def test_a_comma_is_a_decimal_comma_only_when_every_entry_has_that_shape():
    # Issue 13: "31,842" was 31 s and a refused 842 s; alone it is one decimal-comma lap.
    assert read_laps("31,842").laps == secs("31.842")
    assert read_laps("31,842\n32,1").laps == secs("31.842", "32.1")
    mixed = read_laps("31,842\n32.1")
    assert mixed.laps == [] or mixed.refusals
    assert "decimal comma" in mixed.refusals[0].message


def test_a_ten_lap_paste():
    text = "\n".join(["31.842", "31.901", "32.015", "31.777", "1:02.417",
                      "31.650", "31.702", "31.999", "32.100", "31.888"])
    parsed = read_laps(text)
    assert len(parsed.laps) == 10
    assert parsed.laps[4] == Decimal("62.417")
    assert parsed.laps == secs("31.842", "31.901", "32.015", "31.777", "62.417",
                                  "31.650", "31.702", "31.999", "32.100", "31.888")
    # running sum by hand: 63.743, 95.758, 127.535, 189.952, 221.602, 253.304, 285.303,
    # 317.403, 349.291
    assert sum(parsed.laps) == Decimal("349.291")
    assert parsed.refusals == []


# --- errors ------------------------------------------------------------------------------

def test_empty_input_asks_for_a_lap():
    for text in ("", "   ", "\n\n \t\n"):
        parsed = read_laps(text)
        assert parsed.laps == []
        assert [e.message for e in parsed.refusals] == [EMPTY]


def test_every_bad_token_is_reported_on_its_line():
    text = "31.842\n32.1, 31.84251, 33\n\n0\n1:75.0 31x 30\n"
    parsed = read_laps(text)
    assert parsed.laps == secs("31.842", "32.1", "33", "30")
    assert [(e.line, e.text) for e in parsed.refusals] == [
        (2, "31.84251"), (4, "0"), (5, "1:75.0"), (5, "31x")]
    assert "at most 3" in parsed.refusals[0].message
    assert "more than 0" in parsed.refusals[1].message
    assert "under 60" in parsed.refusals[2].message
    assert parsed.refusals[3].message == NOT_A_TIME


def test_long_bad_text_is_clipped():
    parsed = read_laps("31.8, " + "9" * 80)
    (error,) = parsed.refusals
    assert len(error.text) <= 40 and error.text.startswith("999")


def test_more_than_max_laps_is_one_error_naming_the_limit():
    assert read_laps("\n".join(["31.5"] * MAX_LAPS)).refusals == []
    parsed = read_laps("\n".join(["31.5"] * (MAX_LAPS + 5)))
    (error,) = parsed.refusals
    assert str(MAX_LAPS) in error.message and "205 read" in error.message


def test_a_tab_separated_table_with_a_header():
    text = "Lap\tTime\tPosition\n1\t31.842\t3\n2\t32.105\t2\n3\t1:02.417\t4\n"
    parsed = read_laps(text)
    assert parsed.laps == secs("31.842", "32.105", "62.417")  # positions ignored
    assert parsed.refusals == []


def test_a_table_whose_rows_do_not_match_its_header_is_refused_not_guessed():
    text = (
        "Driver: J. Smith   Lap Times\n"
        "Lap   Time       Pos  Gap\n"
        "Lap 1   33.120   P3   +1.200   12.03.2024\n"
        "Lap 2   31.842   P2   +0.512   12.03.2024\n"
    )
    parsed = read_laps(text)
    assert not parsed.ready and parsed.refusals[0].line == 3


def test_a_headerless_table_with_several_times_is_refused():
    # lap, lap time, running best, total time: which is the lap? The header says; no guess.
    text = "1  31.842  31.842  31.842\n2  32.500  31.842  1:04.342\n3  30.100  30.100  1:34.442\n"
    parsed = read_laps(text)
    assert parsed.laps == [] and "header" in parsed.refusals[0].message


def test_lap_numbers_out_of_order_are_never_saved_as_laps():
    parsed = read_laps("3\t30.100\n1\t31.842\n2\t32.500\n")
    assert parsed.laps == [] and parsed.refusals[0].line == 1
    assert "lap numbers" in parsed.refusals[0].message


def test_a_dnf_row_is_skipped_and_reported_and_a_bad_time_refused():
    text = "Lap\tTime\n1\t31.842\n2\tDNF\n3\t1:75.000\n4\t31.2\n"
    parsed = read_laps(text)
    assert [(e.line, e.text) for e in parsed.refusals] == [(4, "1:75.000")]
    assert "under 60" in parsed.refusals[0].message
    assert any("skipped 1 row" in note and "line 3" in note for note in parsed.notes)


def test_a_single_space_list_starting_with_a_whole_number_is_not_a_table():
    assert read_laps("31 32.5 33.1").laps == secs("31", "32.5", "33.1")


def test_a_list_with_one_whole_number_line_is_not_a_table():
    # Only 1 of the 3 lines looks like "lap number, time": not most of them.
    parsed = read_laps("31 32.5\n30.9 31.2\n31.5")
    assert parsed.laps == secs("31", "32.5", "30.9", "31.2", "31.5")


def test_a_table_footer_with_totals_is_skipped_and_a_dnf_row_reported():
    # Two laps: 31.842 + 1:02.417 = 94.259 s, which the footer states; it is no lap.
    text = "Lap\tTime\n1\t31.842\n2\t1:02.417\nTotal 1:34.259\nBest lap 31.842\n3\tDNF"
    parsed = read_laps(text)
    assert parsed.laps == [Decimal("31.842"), Decimal("62.417")]
    assert parsed.refusals == [] and parsed.interpreted
    assert any("line 6" in note for note in parsed.notes)
