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
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Final, Literal

from apex.catalogue import PARAMS, Param, Value, coerce

BELOW: Final = "below the range"
WITHIN: Final = "within"
ABOVE: Final = "above"
Position = Literal["below the range", "within", "above"]


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
