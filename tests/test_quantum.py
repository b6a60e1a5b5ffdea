"""apex.quantum: the Decimals that formatting laps and reading setups quantize with."""

from __future__ import annotations

from decimal import Decimal

from apex.catalogue import BY_KEY, coerce
from apex.lap_input import format_lap
from apex.quantum import as_decimal, quantum


def test_quantum_is_ten_to_the_minus_n() -> None:
    assert [quantum(n) for n in (0, 1, 3)] == [Decimal(1), Decimal("0.1"), Decimal("0.001")]
    assert quantum(3) is quantum(3)  # made once


def test_as_decimal_keeps_a_decimal_and_reads_a_float_as_printed() -> None:
    exact = Decimal("31.842")
    assert as_decimal(exact) is exact
    assert as_decimal(0.1) == Decimal("0.1")  # not 0.1000000000000000055511151231257827
    assert as_decimal(7) == Decimal(7)


def test_coerce_and_format_lap_give_what_they_gave() -> None:
    decimal = next(p for p in BY_KEY.values() if p.kind == "decimal" and p.decimals)
    whole = next(p for p in BY_KEY.values() if p.kind == "int")
    assert coerce(decimal, Decimal("2.34567")) == coerce(decimal, "2.34567") == \
        Decimal("2.34567").quantize(quantum(decimal.decimals))
    assert coerce(whole, 7000) == coerce(whole, "7000") == coerce(whole, Decimal("7000")) == 7000
    assert coerce(whole, "7000.9") == 7000 and coerce(decimal, " ") is None
    assert format_lap(Decimal("31.8425")) == "31.843" and format_lap(62.4171) == "1:02.417"
    assert format_lap(31.8, 1) == "31.8" and format_lap(None) == "—"
