"""What the community runs: per parameter, the range of the library's values and mine beside it.

Why it is built this way:
- One ``Range`` per catalogue parameter, in catalogue order, always: with no rows
  (or none that set a parameter) its ``count`` is 0 and its statistics are None, so
  the view's table keeps its shape and still shows my value.
- Rows that leave a parameter unset are skipped for that parameter only.
- Numbers: count, min, median, max. The median is ``statistics.median``; for an
  even count that is the mean of the middle two, which may fall between steps
  (7000 and 7500 -> 7250 on a 500 step), so it is put on the parameter's step grid
  (counted from its min, as ``ParamField`` counts): to the nearest step, a tie going
  to the higher step (7250 -> 7500; -1.25° on a 0.5° step -> -1.0°).
- Text: the most common value (ignoring case and surrounding spaces; shown as first
  written; a tie goes to the value seen first) and its share of the rows that set it.
- ``summarize`` states these rules over the rows themselves; the stores answer with
  ``from_counts``, the same rules over counts of (parameter, value) kept per car by the
  writes (issue 17: a car with 20 000 rows is a few hundred counts), and tests hold the
  two to the same answer.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Final, Literal

from apex.catalogue import PARAMS, Param, Value, coerce

BELOW: Final = "below the range"
WITHIN: Final = "within"
ABOVE: Final = "above"
Position = Literal["below the range", "within", "above"]
_EPOCH: Final = date(2000, 1, 1)
_TEXT_KEYS: Final = frozenset(p.key for p in PARAMS if not p.is_numeric)


@dataclass(frozen=True)
class Range:
    """One parameter across the community's rows, and my value beside it.

    Numbers fill ``min``/``median``/``max`` and ``position``; text fills ``common``,
    ``common_count`` (and so ``share``). ``count`` is the number of rows that set it.
    """

    param: Param
    count: int
    mine: Value
    min: Value = None
    median: Value = None
    max: Value = None
    position: Position | None = None  # where mine sits; None when mine is unset or no data
    common: str | None = None
    common_count: int = 0

    @property
    def key(self) -> str:
        return self.param.key

    @property
    def share(self) -> float | None:
        """The most common text value's share of the rows that set it (0..1)."""
        return self.common_count / self.count if self.common is not None else None

    @property
    def share_text(self) -> str:
        """``3 of 4``: how many of the rows that set it run the most common value."""
        return f"{self.common_count} of {self.count}" if self.common is not None else ""

    @property
    def mine_is_common(self) -> bool:
        """My text value is the community's most common one (ignoring case)."""
        return self.common is not None and str(self.mine or "").casefold() == self.common.casefold()


@dataclass(frozen=True)
class Summary:
    """One parameter over the community's rows, before my value is set beside it: what
    the PostgreSQL store computes in one SQL aggregate, and ``summarize`` in Python.

    Numbers: ``low``, ``high`` and ``middle`` (the plain median, not yet on the step grid);
    text: ``common`` (as first written, newest row first) and ``common_count``."""

    count: int = 0
    low: Value = None
    middle: Decimal | None = None
    high: Value = None
    common: str | None = None
    common_count: int = 0


@dataclass(frozen=True)
class CommunitySummary:
    """How many rows matched, and a ``Summary`` per catalogue parameter key."""

    rows: int
    params: dict[str, Summary]


def summarize(rows: list[dict]) -> CommunitySummary:
    """The ``CommunitySummary`` of ``rows`` (key -> value dicts, newest first)."""
    out: dict[str, Summary] = {}
    for param in PARAMS:
        values = [v for v in (coerce(param, row.get(param.key)) for row in rows) if v is not None]
        if not values:
            out[param.key] = Summary()
        elif param.is_numeric:
            numbers = [Decimal(v) for v in values]
            out[param.key] = Summary(len(values), coerce(param, min(numbers)),
                                     statistics.median(numbers), coerce(param, max(numbers)))
        else:
            texts = [str(v) for v in values]
            first_written: dict[str, str] = {}
            for value in texts:
                first_written.setdefault(value.casefold(), value)
            folded, count = Counter(v.casefold() for v in texts).most_common(1)[0]
            out[param.key] = Summary(len(values), common=first_written[folded],
                                     common_count=count)
    return CommunitySummary(len(rows), out)


@dataclass(frozen=True)
class Cell:
    """How many rows set one parameter to one value (a text as written, trimmed; a number
    in any spelling: "2.30" and 2.3 are one value), and, for text, the ``place`` of the
    newest of them. The PostgreSQL store keeps these per car in library_values (sql/0020),
    the CSV store counts them in memory (``counts_of``); ``from_counts`` sums them up."""

    param: str
    value: str | int | Decimal
    rows: int
    newest: int | None = None


def place(day: date, row_id: int) -> int:
    """A row's place in the library's order (date, then id; newest highest) as one number,
    as sql/0020's library_place."""
    return (day - _EPOCH).days * 1_000_000_000_000 + row_id


def row_cells(row: Mapping[str, Any]) -> tuple[tuple[str, Value], ...]:
    """A library row's set parameters as (key, value), in the catalogue's types."""
    return tuple((param.key, value) for param in PARAMS
                 if (value := coerce(param, row.get(param.key))) is not None)


def counts_of(rows: Iterable[Mapping[str, Any]],
              cells_of: Callable[[Mapping[str, Any]], Iterable[tuple[str, Value]]] = row_cells
              ) -> list[Cell]:
    """The ``Cell``s of library rows (key -> value dicts with ``date`` and ``id``);
    ``cells_of`` gives a row's ``row_cells`` (the CSV store's are kept per row)."""
    found: dict[tuple[str, Value], list[int]] = {}
    for row in rows:
        at = place(row["date"], row["id"])
        for key, value in cells_of(row):
            cell = found.get((key, value))
            if cell is None:
                found[key, value] = [1, at]
            else:
                cell[0] += 1
                if at > cell[1]:
                    cell[1] = at
    return [Cell(key, value, n, newest if key in _TEXT_KEYS else None)  # type: ignore[arg-type]
            for (key, value), (n, newest) in found.items()]


def from_counts(rows: int, cells: Iterable[Cell]) -> CommunitySummary:
    """The ``CommunitySummary`` of ``rows`` rows whose values ``cells`` counts: what
    ``summarize`` makes of the rows themselves, from a few hundred counts."""
    by_param: dict[str, list[Cell]] = {}
    for cell in cells:
        by_param.setdefault(cell.param, []).append(cell)
    out: dict[str, Summary] = {}
    for param in PARAMS:
        found = by_param.get(param.key)
        if not found:
            out[param.key] = Summary()
        elif param.is_numeric:
            counts: Counter[Decimal] = Counter()
            for cell in found:
                counts[Decimal(str(coerce(param, cell.value)))] += cell.rows
            ordered = sorted(counts.items())
            total = sum(counts.values())
            out[param.key] = Summary(total, coerce(param, ordered[0][0]),
                                     _median(ordered, total), coerce(param, ordered[-1][0]))
        else:
            # folded value -> [rows, newest place, the value as its newest row wrote it]
            groups: dict[str, list[Any]] = {}
            for cell in found:
                text = str(cell.value).strip()
                group = groups.setdefault(text.casefold(), [0, -1, text])
                group[0] += cell.rows
                if (cell.newest if cell.newest is not None else -1) > group[1]:
                    group[1:] = [cell.newest, text]
            count, _, common = max(groups.values(), key=lambda g: (g[0], g[1]))
            out[param.key] = Summary(sum(g[0] for g in groups.values()), common=common,
                                     common_count=count)
    return CommunitySummary(rows, out)


def _median(ordered: list[tuple[Decimal, int]], total: int) -> Decimal:
    """``statistics.median`` of the values ``ordered`` counts (value, rows), ascending."""
    wanted = sorted({(total - 1) // 2, total // 2})  # 0-based places of the middle one(s)
    middle: list[Decimal] = []
    seen = 0
    for value, n in ordered:
        while wanted and wanted[0] < seen + n:
            middle.append(value)
            wanted.pop(0)
        seen += n
    return middle[0] if len(middle) == 1 else (middle[0] + middle[1]) / 2


def ranges_of(summary: CommunitySummary, mine: dict | None) -> list[Range]:
    """A ``Range`` for every catalogue parameter: the summary with my value beside it."""
    mine = mine or {}
    ranges: list[Range] = []
    for param in PARAMS:
        found = summary.params.get(param.key) or Summary()
        my_value = coerce(param, mine.get(param.key))
        if not found.count:
            ranges.append(Range(param, 0, my_value))
        elif param.is_numeric:
            ranges.append(_numeric(param, found, my_value))
        else:
            ranges.append(Range(param, found.count, my_value, common=found.common,
                                common_count=found.common_count))
    return ranges


def community_ranges(rows: list[dict], mine: dict | None) -> list[Range]:
    """A ``Range`` for every catalogue parameter over ``rows`` (key -> value dicts)."""
    return ranges_of(summarize(rows), mine)


def median_on_step(param: Param, values: list[int | Decimal | str]) -> Value:
    """``statistics.median`` of the values, on the parameter's step (see the module doc)."""
    return on_step(param, statistics.median(Decimal(v) for v in values))


def on_step(param: Param, middle: Decimal) -> Value:
    """A median put on the parameter's step grid (see the module doc)."""
    if param.step is not None and param.min is not None:
        steps = ((middle - param.min) / param.step).quantize(Decimal(1), ROUND_HALF_UP)
        middle = param.min + steps * param.step
    return coerce(param, middle)


def _numeric(param: Param, found: Summary, mine: Value) -> Range:
    assert found.low is not None and found.high is not None and found.middle is not None
    low, high = Decimal(found.low), Decimal(found.high)
    position: Position | None = None
    if mine is not None:
        number = Decimal(mine)
        position = BELOW if number < low else ABOVE if number > high else WITHIN
    return Range(param, found.count, mine, coerce(param, low),
                 on_step(param, Decimal(found.middle)), coerce(param, high), position)
