"""The one lap reader: the Race Support paste box and an uploaded lap file (TUNING.md §5).

Racers paste what they have: a typed list, a spreadsheet column, a timing site's lap
table (LiveRC, MyLaps/Speedhive, Orbits), a lap counter's CSV (RC Lap Timer,
LapMonitor). The reader picks the lap-time column by its header, never a lap number,
position, time of day, gap or elapsed total, and when it cannot tell it refuses with the
line and the reason: a wrong lap saved silently poisons every figure built on it.

``read_laps`` is pure: text in, a ``LapReading`` out. ``decode_upload`` turns a file's
bytes into that text.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from decimal import Decimal

from apex.lap_cells import (
    Kind,
    cell_seconds,
    has_decimal_comma,
    is_liverc,
    is_marker,
    is_specific_lap_time,
    is_whole,
    kind_of,
    says_ms,
)
from apex.lap_input import EMPTY, MAX_LAPS, LapLineError

UPLOAD_MAX = 1024 * 1024  # bytes: a season of lap files is far smaller
TEXT_MAX = 40

# "Lap 1: 41.882", "L1 41.882", "Lap 12 - 41.882"
_LAP_LABEL = re.compile(r"\s*(?:lap|l|runde|tour)\s*#?\s*([0-9]+)\s*[:.)\-]?\s+(.*)", re.I)
# "1. 41.882", "1) 41.882", "1: 41.882", "#1 41.882"
_NUMBERED = re.compile(r"\s*#?([0-9]+)\s*[.):]\s+(.*)")
_SUMMARY = re.compile(r"\s*(total|best|fastest|average|avg|median|laps|consistency|top|"
                      r"mean|std|result|race time)\b", re.I)
_MARKER_LINE = re.compile(r"(?i).*\b(dnf|dns|dsq)\b.*")


@dataclass(frozen=True)
class LapReading:
    """What the reader understood. ``laps`` are saved only when ``refusals`` is empty and
    no driver choice is pending; ``interpreted`` means the racer sees a preview first."""

    laps: list[Decimal] = field(default_factory=list)
    refusals: list[LapLineError] = field(default_factory=list)
    drivers: list[str] = field(default_factory=list)  # names to choose from
    driver: str | None = None  # the driver whose laps these are (a chosen one)
    interpreted: bool = False
    notes: list[str] = field(default_factory=list)  # "read column 'Lap time'"…

    @property
    def needs_driver(self) -> bool:
        return bool(self.drivers) and self.driver is None and not self.refusals

    @property
    def ready(self) -> bool:
        return bool(self.laps) and not self.refusals and not self.needs_driver


def clip(text: str) -> str:
    text = text.strip()
    return text if len(text) <= TEXT_MAX else text[: TEXT_MAX - 1] + "…"


def decode_upload(data: bytes) -> str:
    """A lap file's text: UTF-8 (with or without BOM), else latin-1 (old Windows
    exports). Raises ``ValueError`` over ``UPLOAD_MAX`` or for a binary file."""
    if len(data) > UPLOAD_MAX:
        raise ValueError("That file is over 1 MB: export only this run's laps.")
    if b"\x00" in data:
        raise ValueError("That file is not text: export the laps as CSV or TXT.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _refuse(line: int, text: str, reason: str) -> LapReading:
    return LapReading(refusals=[LapLineError(line, clip(text), reason)], interpreted=True)


def _has_digit(line: str) -> bool:
    return any("0" <= ch <= "9" for ch in line)


# --- tables with a header ----------------------------------------------------------------

def _delimiter(header: str) -> str | None:
    """The header's separator; None for whitespace (runs of spaces)."""
    for sep in ("\t", "|", ";", ","):
        if sep in header:
            return sep
    return None


def _cells(line: str, sep: str | None) -> list[str]:
    if sep is None:
        return line.split()
    if sep == "|":
        return [c.strip() for c in line.strip().strip("|").split("|")]
    return [c.strip() for c in next(csv.reader([line], delimiter=sep))]


def _header_cells(line: str, sep: str | None) -> list[str]:
    if sep is None:  # "Lap   Lap time   Gap": names may hold single spaces
        return [c for c in re.split(r"\s{2,}", line.strip()) if c]
    return _cells(line, sep)


def _find_header(lines: list[tuple[int, str]]) -> tuple[int, list[str], str | None] | None:
    """The index, cells and separator of the table's header: a line with no digits and at
    least two cells, followed by a row of as many cells."""
    for i, (_, line) in enumerate(lines[:15]):
        if _has_digit(line) or _SUMMARY.match(line):
            continue
        sep = _delimiter(line)
        cells = _header_cells(line, sep)
        if len(cells) < 2:
            if sep is None and len(line.split()) >= 2 and any(
                    kind_of(w) != Kind.UNKNOWN for w in line.split()):
                cells = line.split()  # "Lap Time": single spaces
            else:
                continue
        following = next((ln for _, ln in lines[i + 1:] if _has_digit(ln)), None)
        # The first row must match the header, else "Lap times" over a list is a title.
        if following is not None and len(_cells(following, sep)) == len(cells):
            return i, cells, sep
    return None


def _elapsed_like(values: list[Decimal]) -> bool:
    """Only grows, each step about a lap: an elapsed total, not lap times."""
    if len(values) < 3:
        return False
    steps = [b - a for a, b in zip(values, values[1:], strict=False)]
    return all(s > 0 for s in steps) and min(steps) > values[0] * Decimal("0.3")


def _differences(values: list[Decimal]) -> list[Decimal]:
    return [values[0]] + [b - a for a, b in zip(values, values[1:], strict=False)]


def _read_table(lines: list[tuple[int, str]], at: int, header: list[str], sep: str | None,
                driver: str | None) -> LapReading:
    head_line = lines[at][0]
    kinds = [kind_of(h) for h in header]
    notes: list[str] = []
    rows: list[tuple[int, str, list[str]]] = []
    for n, line in lines[at + 1:]:
        if not _has_digit(line) and not _MARKER_LINE.match(line):
            continue  # a repeated header, a blank separator row "|---|---|"
        if _SUMMARY.match(line):
            notes.append(f"skipped the summary line {n}")
            continue
        rows.append((n, line, _cells(line, sep)))
    if not rows:
        return _refuse(head_line, lines[at][1], "a table header but no lap rows under it")

    time_cols = [i for i, k in enumerate(kinds) if k == Kind.LAP_TIME]
    driver_col = next((i for i, k in enumerate(kinds) if k == Kind.DRIVER), None)
    elapsed_col = next((i for i, k in enumerate(kinds) if k == Kind.ELAPSED), None)
    unknown_cols = [i for i, k in enumerate(kinds) if k == Kind.UNKNOWN and header[i]]
    # A lap chart: one column of times per driver, named by the driver (LiveRC).
    driver_cols = [i for i in unknown_cols if _mostly_times(rows, i)] if not time_cols else []

    if len(time_cols) > 1:
        specific = [i for i in time_cols if is_specific_lap_time(header[i])]
        if len(specific) != 1:
            names = " and ".join(f"'{header[i]}'" for i in time_cols)
            return _refuse(head_line, lines[at][1],
                           f"two lap-time columns ({names}): paste only one")
        time_cols = specific

    if driver_cols and driver_col is None:
        chart = [header[i] for i in driver_cols]
        if len(chart) > 1 and driver is None:
            return LapReading(drivers=chart, interpreted=True,
                              notes=[f"one column per driver: {len(chart)} drivers"])
        if driver is not None and driver not in chart:
            return _refuse(head_line, lines[at][1], f"no driver named '{clip(driver)}' here")
        col = driver_cols[0] if driver is None else driver_cols[chart.index(driver)]
        return _column(rows, col, header[col], notes, ms=says_ms(header[col]),
                       drivers=chart if len(chart) > 1 else [], driver=driver, elapsed=False)

    if not time_cols and not driver_cols and elapsed_col is None:
        # Before any driver question: a results summary (position, laps, fastest) has
        # no lap to read for anyone.
        return _refuse(head_line, lines[at][1],
                       "no lap-time column: name it 'Lap time' (lap number, position, time "
                       "of day and gap columns are never read as laps)")

    if driver_col is not None:
        order: list[str] = []
        for _, _, cells in rows:
            name = cells[driver_col] if driver_col < len(cells) else ""
            if name and name not in order:
                order.append(name)
        if len(order) > 1 and len(order) == len(rows):
            return _refuse(head_line, lines[at][1], "one line per driver: a results table, "
                           "not lap times. Copy the lap-by-lap table")
        if len(order) > 1 and driver is None:
            return LapReading(drivers=order, interpreted=True,
                              notes=[f"a driver column: {len(order)} drivers"])
        if driver is not None and driver not in order:
            return _refuse(head_line, lines[at][1], f"no driver named '{clip(driver)}' here")
        chosen = driver if driver is not None else (order[0] if order else None)
        rows = [r for r in rows if driver_col < len(r[2]) and r[2][driver_col] == chosen]
        notes.append(f"driver '{chosen}'")
        drivers = order if len(order) > 1 else []
    else:
        drivers = []

    if time_cols:
        col = time_cols[0]
        return _column(rows, col, header[col], notes, ms=says_ms(header[col]),
                       drivers=drivers, driver=driver if drivers else None,
                       elapsed=not is_specific_lap_time(header[col]))
    if elapsed_col is not None:
        reading = _column(rows, elapsed_col, header[elapsed_col], notes,
                          ms=says_ms(header[elapsed_col]), drivers=drivers,
                          driver=driver if drivers else None, elapsed=False)
        if reading.refusals or not reading.laps:
            return reading
        if not _elapsed_like(reading.laps):
            return _refuse(head_line, lines[at][1],
                           f"column '{header[elapsed_col]}' is an elapsed total but does "
                           "not grow by a lap each line: paste the lap times")
        notes = [*reading.notes, f"laps are the differences of the elapsed totals "
                 f"in '{header[elapsed_col]}'"]
        return LapReading(laps=_differences(reading.laps), drivers=reading.drivers,
                          driver=reading.driver, interpreted=True, notes=notes)
    raise AssertionError("unreachable: no column was checked above")


def _mostly_times(rows: list[tuple[int, str, list[str]]], col: int) -> bool:
    cells = [r[2][col] for r in rows if col < len(r[2]) and not is_marker(r[2][col])]
    good = 0
    for cell in cells:
        try:
            cell_seconds(cell, decimal_comma=has_decimal_comma(cell))
            good += 1
        except ValueError:
            pass
    return bool(cells) and good * 2 > len(cells)


def _column(rows: list[tuple[int, str, list[str]]], col: int, name: str, notes: list[str], *,
            ms: bool, drivers: list[str], driver: str | None, elapsed: bool) -> LapReading:
    """The laps in one column; blank and DNF cells skipped and reported. ``elapsed``:
    a generic "Time" column that only grows is an elapsed total, read as differences."""
    cells = [(n, line, cells[col] if col < len(cells) else "") for n, line, cells in rows]
    present = [c for _, _, c in cells if not is_marker(c)]
    decimal_comma = bool(present) and all(has_decimal_comma(c) for c in present)
    laps: list[Decimal] = []
    refusals: list[LapLineError] = []
    skipped: list[int] = []
    for n, _line, cell in cells:
        if is_marker(cell):
            skipped.append(n)
            continue
        if "," in cell and not decimal_comma:
            refusals.append(LapLineError(n, clip(cell), "a decimal comma here but not in "
                                         "every lap: write all laps the same way"))
            continue
        try:
            laps.append(cell_seconds(cell, ms=ms, decimal_comma=decimal_comma))
        except ValueError as exc:
            refusals.append(LapLineError(n, clip(cell), str(exc)))
    notes = [*notes, f"read column '{name}'" + (" (milliseconds)" if ms else "")]
    if decimal_comma:
        notes.append("decimal commas read as decimal points")
    if skipped:
        lines = ", ".join(str(n) for n in skipped)
        notes.append(f"skipped {len(skipped)} row{'s' if len(skipped) != 1 else ''} "
                     f"without a lap (DNF or blank; line {lines})")
    if elapsed and not refusals and _elapsed_like(laps):
        notes.append(f"column '{name}' only grows by about a lap: read as elapsed totals")
        laps = _differences(laps)
    return LapReading(laps=laps, refusals=refusals, drivers=drivers, driver=driver,
                      interpreted=True, notes=notes)


# --- lists and numbered lines --------------------------------------------------------------

def _strip_labels(lines: list[tuple[int, str]]) -> tuple[list[tuple[int, str]], bool]:
    """``Lap 1: 41.882`` and ``1. 41.882`` without their lap numbers, when every line has
    such a label (numbers going up by one for bare ``1.`` labels)."""
    labelled = [_LAP_LABEL.fullmatch(line) for _, line in lines]
    if all(labelled):
        return [(n, m[2]) for (n, _), m in zip(lines, labelled, strict=True) if m], True
    numbered = [_NUMBERED.fullmatch(line) for _, line in lines]
    if len(lines) >= 2 and all(numbered):
        numbers = [int(m[1]) for m in numbered if m]
        if all(b == a + 1 for a, b in zip(numbers, numbers[1:], strict=False)):
            return [(n, m[2]) for (n, _), m in zip(lines, numbered, strict=True) if m], True
    return lines, False


def _numbered_rows(lines: list[tuple[int, str]]) -> bool:
    """``1 41.882`` / ``2 42.1``: every line starts with a whole number going up by one."""
    if len(lines) < 2:
        return False
    firsts = [line.split()[0] if line.split() else "" for _, line in lines]
    if not all(is_whole(f) and len(line.split()) >= 2 for f, (_, line) in
               zip(firsts, lines, strict=True)):
        return False
    numbers = [int(f) for f in firsts]
    return all(b == a + 1 for a, b in zip(numbers, numbers[1:], strict=False))


def _tab_columns(lines: list[tuple[int, str]]) -> bool:
    """Two lines or more of as many tab-separated cells (two at least): a table copied
    without its header (two drivers side by side, lap time and total), not a list."""
    counts = {len([c for c in line.split("\t") if c.strip()]) for _, line in lines}
    return len(lines) >= 2 and len(counts) == 1 and counts.pop() >= 2


def _whole_first_column(lines: list[tuple[int, str]]) -> bool:
    """``3  30.100`` / ``1  31.842``: a first column of whole numbers beside times (lap
    numbers out of order, positions): never read as laps, never silently dropped."""
    split = [line.split() for _, line in lines]
    return (len(lines) >= 2 and all(len(t) >= 2 and is_whole(t[0]) for t in split)
            and not all(is_whole(x) for t in split for x in t))


def _list_tokens(line: str) -> list[str]:
    return [t for t in re.split(r"[;\s]+", line) if t]


def _read_list(lines: list[tuple[int, str]], skipped: list[int]) -> LapReading:
    notes: list[str] = []
    lines, labelled = _strip_labels(lines)
    interpreted = labelled
    if labelled:
        notes.append("lap numbers in front of each time left out")
    elif _numbered_rows(lines):
        rest = []
        for n, line in lines:
            after = line.split()[1:]
            if len(after) > 1:
                return _refuse(n, line, "more than one time after the lap number: paste the "
                               "table's header line too, so the lap-time column is known")
            if is_whole(after[0]):
                return _refuse(n, line, "a lap number then a whole number: is it seconds, "
                               "or two laps? Write 45.0 for seconds")
            rest.append((n, after[0]))
        lines, interpreted = rest, True
        notes.append("lap numbers in front of each time left out")
    elif _whole_first_column(lines):
        return _refuse(lines[0][0], lines[0][1], "each line starts with a whole number: lap "
                       "numbers? Paste the table with its header line")
    elif _tab_columns(lines):
        return _refuse(lines[0][0], lines[0][1], "columns without a header: whose laps, or "
                       "which is the lap time? Paste the table with its header line")
    tokens = [(n, t) for n, line in lines for t in _list_tokens(line)]
    decimal_comma = bool(tokens) and all(has_decimal_comma(t) for _, t in tokens)
    laps: list[Decimal] = []
    refusals: list[LapLineError] = []
    for n, token in tokens:
        if decimal_comma:
            parts = [token]
        else:
            parts = [p for p in token.split(",") if p]
            if len(parts) > 1 and all(is_whole(p) for p in parts):
                refusals.append(LapLineError(n, clip(token), "a decimal comma or two laps? "
                                             "Write 41.88 or 41, 88"))
                continue
        for part in parts:
            if is_liverc(part):
                interpreted = True
            try:
                laps.append(cell_seconds(part, decimal_comma=decimal_comma))
            except ValueError as exc:
                reason = str(exc)
                if is_whole(part) and 1000 <= int(part) < 600_000:
                    reason = ("milliseconds? Write 41.882, or paste the header "
                              "'Lap time (ms)' with the column")
                refusals.append(LapLineError(n, clip(part), reason))
    if decimal_comma:
        interpreted = True
        notes.append("decimal commas read as decimal points")
    if skipped:
        interpreted = True
        notes.append(f"skipped {len(skipped)} line{'s' if len(skipped) != 1 else ''} "
                     f"without a lap (DNF; line {', '.join(str(n) for n in skipped)})")
    if not refusals and _elapsed_like(laps):
        return _refuse(tokens[1][0], tokens[1][1],
                       "these only grow by about a lap each line: elapsed totals? Paste the "
                       "lap times, or the table with its header")
    return LapReading(laps=laps, refusals=refusals, interpreted=interpreted, notes=notes)


# --- the entry point -----------------------------------------------------------------------

def read_laps(text: str, driver: str | None = None) -> LapReading:
    """Every lap in a pasted or uploaded text, for ``driver`` when the text has several.

    Lines without digits (titles, headers) are read only to find the header. Anything the
    reader cannot tell for sure is a refusal naming the line: it never guesses.
    """
    all_lines = [(n, line.rstrip("\r")) for n, line in enumerate(text.splitlines(), 1)
                 if line.strip()]
    if not any(_has_digit(line) for _, line in all_lines):
        return LapReading(refusals=[LapLineError(1, clip(text), EMPTY)])
    found = _find_header(all_lines)
    if found is not None:
        reading = _read_table(all_lines, found[0], found[1], found[2], driver)
    else:
        lines = [(n, line) for n, line in all_lines if _has_digit(line)]
        skipped = [n for n, line in all_lines if _MARKER_LINE.match(line)]
        reading = _read_list([(n, line) for n, line in lines if not _SUMMARY.match(line)],
                             skipped)
    if len(reading.laps) > MAX_LAPS:
        return LapReading(refusals=[LapLineError(
            0, "", f"too many laps: {len(reading.laps)} read, at most {MAX_LAPS} per run")],
            interpreted=reading.interpreted)
    if not reading.laps and not reading.refusals and not reading.needs_driver:
        return LapReading(refusals=[LapLineError(1, clip(text), EMPTY)])
    return reading
