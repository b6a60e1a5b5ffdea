"""The lap reader's edges that a corpus file cannot show: file size, bytes, limits."""

from __future__ import annotations

from decimal import Decimal

import pytest

from apex.lap_input import MAX_LAPS
from apex.lap_reader import UPLOAD_MAX, decode_upload, read_laps


def test_a_file_over_1_mb_is_refused_and_one_at_the_limit_is_read():
    with pytest.raises(ValueError, match="over 1 MB"):
        decode_upload(b"41.882\n" * (UPLOAD_MAX // 7 + 1))
    assert decode_upload(b"4" * UPLOAD_MAX) == "4" * UPLOAD_MAX


def test_a_binary_file_is_refused():
    with pytest.raises(ValueError, match="not text"):
        decode_upload(b"PK\x03\x04\x00\x00")


def test_latin1_and_bom_decode():
    assert decode_upload("Jürgen".encode("latin-1")) == "Jürgen"
    assert decode_upload("\ufeffLap".encode()) == "Lap"


def test_more_laps_than_a_run_holds_is_one_refusal():
    assert read_laps("\n".join(["31.5"] * MAX_LAPS)).ready
    reading = read_laps("\n".join(["31.5"] * (MAX_LAPS + 1)))
    assert not reading.ready and str(MAX_LAPS) in reading.refusals[0].message


def test_a_chosen_driver_is_kept_on_the_reading():
    text = "Lap\tANNA\tTOM\n1\t1/40.5\t2/41.0\n2\t1/40.1\t2/41.1\n"
    reading = read_laps(text, "TOM")
    assert (reading.driver, reading.laps) == ("TOM", [Decimal("41.0"), Decimal("41.1")])
    assert reading.drivers == ["ANNA", "TOM"]
