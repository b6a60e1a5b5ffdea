"""Lap times as a racer types or pastes them: one box, many shapes.

Racers copy laps from wherever they have them: typed from memory, a column
out of a spreadsheet, or the lap table of a timing website (LiveRC, MyLaps).
This module turns any of those into seconds, and says in plain words which
line was wrong instead of silently dropping or rounding anything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

MAX_LAPS = 200
MAX_SECONDS = Decimal(600)
TEXT_MAX = 40

NOT_A_TIME = "not a lap time: use 31.842 or 1:02.417"
EMPTY = "Enter at least one lap time."

_MILLI = Decimal("0.001")
# Plain ASCII digits only: str regexes would otherwise accept any Unicode digit.
_TIME = re.compile(
    r"(?:(?P<min>[0-9]+):(?P<sec>[0-9]{2})|(?P<whole>[0-9]+))(?:\.(?P<frac>[0-9]+))?"
)
_SEPARATORS = re.compile(r"[,;\s]+")
# A lap-table row: an optional word ("Lap", "L"), then the lap number as a whole token.
_LAP_ROW = re.compile(r"\s*(?:[A-Za-z]+\.?\s*)?[0-9]+(?=\s)")
# A cell that may be the lap time: starts with a digit and has a point or a colon.
# Gaps ("+0.512") and dates ("12/03/2024") never qualify.
_TIME_CELL = re.compile(r"[0-9][0-9.:]*[sS]?")


@dataclass(frozen=True)
class LapLineError:
    """One problem in the paste, pointing at the line the racer has to fix."""

    line: int  # 1-based line number in the pasted text
    text: str  # the offending token or line, as typed (trimmed, max ~40 chars)
    message: str  # plain English


@dataclass(frozen=True)
class ParsedLaps:
    seconds: list[Decimal]  # in order, quantized to 0.001
    errors: list[LapLineError]  # empty when all good


def parse_time(token: str) -> Decimal:
    """``31.842``, ``31``, ``1:02.417`` or ``1:02`` (optional ``s``) in seconds.

    Raises ``ValueError`` with a message fit to show the racer.
    """
    text = token.strip()
    if len(text) > 1 and text[-1] in "sS":
        text = text[:-1]
    match = _TIME.fullmatch(text)
    if match is None:
        raise ValueError(NOT_A_TIME)
    frac = match["frac"] or ""
    if len(frac) > 3:
        raise ValueError("too many decimals: use at most 3, e.g. 31.842")
    if match["min"] is not None:
        sec = int(match["sec"])
        if sec >= 60:
            raise ValueError("seconds after the colon must be under 60, e.g. 1:02.417")
        value = int(match["min"]) * 60 + Decimal(f"{sec}.{frac or 0}")
    else:
        value = Decimal(f"{match['whole']}.{frac or 0}")
    if value <= 0:
        raise ValueError("a lap time must be more than 0 s")
    if value >= MAX_SECONDS:
        raise ValueError("a lap time must be under 600 s (10 minutes)")
    return value.quantize(_MILLI)


def _clip(text: str) -> str:
    text = text.strip()
    return text if len(text) <= TEXT_MAX else text[: TEXT_MAX - 1] + "…"


def _has_digit(line: str) -> bool:
    return any("0" <= ch <= "9" for ch in line)


def _table_time(line: str) -> str | None:
    """The first time-like cell after the lap number, or None if the line is no lap row."""
    head = _LAP_ROW.match(line)
    if head is None:
        return None
    for cell in line[head.end() :].split():
        if _TIME_CELL.fullmatch(cell) and ("." in cell or ":" in cell):
            return cell
    return None


def _is_table(lines: list[tuple[int, str]]) -> bool:
    """Most lines that start with a lap number are "lap number … time" rows (and at least
    two are); summary lines under a table ("Total 2:37.864") do not count.

    Two rows at least, so a single typed line ``31 32.5 33.1`` stays a list.
    """
    rows = sum(1 for _, line in lines if _table_time(line) is not None)
    numbered = sum(1 for _, line in lines if _LAP_ROW.match(line) is not None)
    return rows >= 2 and rows * 2 > numbered


def parse_laps(text: str) -> ParsedLaps:
    """Every lap in a typed list or a pasted lap table, with every bad line reported.

    Lines without digits (blank lines, table headers and footers) are skipped, and in
    a table so are lines that do not start with a lap number (totals, best lap).
    Laps keep the order of the lines; lap numbers in a table are not used.
    """
    lines = [(n, line) for n, line in enumerate(text.splitlines(), 1) if _has_digit(line)]
    if not lines:
        return ParsedLaps([], [LapLineError(1, _clip(text), EMPTY)])
    seconds: list[Decimal] = []
    errors: list[LapLineError] = []
    laps_at: list[int] = []  # the line of each lap, to point at the one past the limit
    table = _is_table(lines)
    for n, line in lines:
        if table:
            if _LAP_ROW.match(line) is None:
                continue  # a summary line under the table: "Total 2:37.864", "Best lap 31.388"
            cell = _table_time(line)
            tokens = [cell] if cell is not None else []
            if not tokens:
                errors.append(LapLineError(n, _clip(line), "no lap time on this line"))
        else:
            tokens = [t for t in _SEPARATORS.split(line) if t]
        for token in tokens:
            try:
                seconds.append(parse_time(token))
                laps_at.append(n)
            except ValueError as exc:
                errors.append(LapLineError(n, _clip(token), str(exc)))
    if len(seconds) > MAX_LAPS:
        errors.append(LapLineError(
            laps_at[MAX_LAPS], "",
            f"too many laps: {len(seconds)} entered, at most {MAX_LAPS} per run"))
    return ParsedLaps(seconds, errors)


def format_lap(seconds: Decimal | float | None, decimals: int = 3) -> str:
    """A lap as timing sites print it, the inverse of ``parse_time``: ``31.842``, or
    ``1:02.417`` from a minute up ("—" for none). Charts' ticks use fewer decimals."""
    if seconds is None:
        return "—"
    value = Decimal(str(seconds)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    if value < 60:
        return f"{value:.{decimals}f}"
    minutes, rest = divmod(value, 60)
    width = decimals + 3 if decimals else 2
    return f"{int(minutes)}:{rest:0{width}.{decimals}f}"
