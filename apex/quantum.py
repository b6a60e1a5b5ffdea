"""Decimals for quantize, made once: a page formats or reads a hundred-odd values (laps,
setup parameters), and ``Decimal(str(x))`` plus ``Decimal(1).scaleb(-n)`` on each was a
measurable share of its CPU (issue 17)."""

from __future__ import annotations

from decimal import Decimal
from functools import cache


@cache
def quantum(decimals: int) -> Decimal:
    """``10 ** -decimals``: ``quantum(3)`` is ``Decimal("0.001")``."""
    return Decimal(1).scaleb(-decimals)


def as_decimal(value: object) -> Decimal:
    """``value`` as a Decimal, through its text (a float's as printed), as it was stored."""
    return value if isinstance(value, Decimal) else Decimal(str(value))
