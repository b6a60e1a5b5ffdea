"""The lap reader over a corpus of real-shaped pastes and files (tests/fixtures/laps/).

Each fixture has a sidecar NAME.expected.json: the laps it must give (exactly), or the
refusal it must give (line and words), or the driver question and, with ``choose``, the
chosen driver's laps. ``not_laps`` lists values present in the input that are lap
numbers, positions, times of day, gaps or elapsed totals: none may ever come out as a lap.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from apex.lap_reader import decode_upload, read_laps

CORPUS = Path(__file__).parent / "fixtures" / "laps"
FIXTURES = sorted(p for p in CORPUS.iterdir() if not p.name.endswith(".expected.json"))


def test_the_corpus_is_big_enough():
    assert len(FIXTURES) >= 40


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_corpus(path: Path):
    expected = json.loads(path.with_name(path.name.rsplit(".", 1)[0] + ".expected.json")
                          .read_text(encoding="utf-8"))
    text = decode_upload(path.read_bytes())  # pastes and files go through the same reader
    reading = read_laps(text)
    if "drivers" in expected:
        assert reading.drivers == expected["drivers"]
        assert reading.needs_driver and reading.laps == []  # never a guessed driver
        reading = read_laps(text, expected["choose"])
    if "refusal" in expected:
        assert reading.laps == [] or reading.refusals, "a refused text saves nothing"
        assert not reading.ready
        first = reading.refusals[0]
        assert (first.line, expected["refusal"]["contains"] in first.message) == (
            expected["refusal"]["line"], True), first
        return
    assert reading.refusals == []
    assert reading.ready
    assert reading.laps == [Decimal(v) for v in expected["laps"]]
    assert reading.interpreted is expected["interpreted"]
    if "notes_contain" in expected:
        assert any(expected["notes_contain"] in note for note in reading.notes), reading.notes
    forbidden = {Decimal(v) for v in expected.get("not_laps", [])}
    assert forbidden.isdisjoint(reading.laps)
