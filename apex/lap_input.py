"""One lap time as a racer writes it, and as APEX prints it.

Whole pastes and lap files (lists, timing-site tables, lap-counter exports) are read by
``apex.lap_reader``, which uses ``parse_time`` for each time and ``LapLineError`` to say
which line was wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from apex.quantum import as_decimal, quantum

MAX_LAPS = 200
MAX_SECONDS = Decimal(600)

NOT_A_TIME = "not a lap time: use 31.842 or 1:02.417"
EMPTY = "Enter at least one lap time."

_MILLI = Decimal("0.001")
# Plain ASCII digits only: str regexes would otherwise accept any Unicode digit.
_TIME = re.compile(
    r"(?:(?P<min>[0-9]+):(?P<sec>[0-9]{2})|(?P<whole>[0-9]+))(?:\.(?P<frac>[0-9]+))?"
)


@dataclass(frozen=True)
class LapLineError:
    """One problem in the paste, pointing at the line the racer has to fix."""

    line: int  # 1-based line number in the pasted text (0: the text as a whole)
    text: str  # the offending token or line, as typed (trimmed, max ~40 chars)
    message: str  # plain English


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


def format_lap(seconds: Decimal | float | None, decimals: int = 3) -> str:
    """A lap as timing sites print it, the inverse of ``parse_time``: ``31.842``, or
    ``1:02.417`` from a minute up ("—" for none). Charts' ticks use fewer decimals."""
    if seconds is None:
        return "—"
    value = as_decimal(seconds).quantize(quantum(decimals), rounding=ROUND_HALF_UP)
    if value < 60:
        return f"{value:.{decimals}f}"
    minutes, rest = divmod(value, 60)
    width = decimals + 3 if decimals else 2
    return f"{int(minutes)}:{rest:0{width}.{decimals}f}"
