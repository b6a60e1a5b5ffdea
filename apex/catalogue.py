"""The setup-parameter catalogue: the one place a parameter is named.

SQL columns, CSV headers, the marshmallow schema, the Shop Master form, the
setup sheet (and later the compare view and the advisor's bounds) are all
derived from ``PARAMS``. Facts come from TUNING.md §1.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

Kind = Literal["int", "decimal", "text"]
Value = int | Decimal | str | None

GROUPS: tuple[str, ...] = ("Diffs", "Suspension", "Geometry", "Tires", "Power")
TEXT_MAX = 40


@dataclass(frozen=True)
class Param:
    """One setup parameter: its key (the old system's column name) and limits."""

    key: str
    label: str
    group: str
    kind: Kind
    unit: str = ""
    min: Decimal | None = None
    max: Decimal | None = None
    step: Decimal | None = None
    # The row on the setup sheet: front and rear of one row sit side by side.
    row: str = ""
    side: Literal["F", "R", ""] = ""
    # Written as holes x mm (``4x1.2``): the advisor changes its hole size, import
    # turns an old ``1.2x4`` round (TUNING §1).
    piston: bool = False
    # A quick trackside change, the only kind allowed before a main (TUNING §3.4).
    quick: bool = False

    @property
    def is_numeric(self) -> bool:
        return self.kind != "text"

    @property
    def decimals(self) -> int:
        """Digits after the point that the step allows (0 for whole numbers)."""
        if self.step is None or self.kind == "int":
            return 0
        exponent = self.step.as_tuple().exponent
        if not isinstance(exponent, int):  # 'n', 'N', 'F': a NaN or infinite step
            raise ValueError(f"{self.key}: the step {self.step} is not a finite number")
        return max(0, -exponent)


def _n(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def _p(key, label, group, kind, unit="", lo=None, hi=None, step=None, row="", side="", **flags):
    return Param(key, label, group, kind, unit, _n(lo), _n(hi), _n(step), row or label, side, **flags)


PARAMS: tuple[Param, ...] = (
    _p("DF", "Front diff oil", "Diffs", "int", "cSt", "1000", "100000", "500", "Front diff"),
    _p("DC", "Centre diff oil", "Diffs", "int", "cSt", "1000", "100000", "500", "Centre diff"),
    _p("DR", "Rear diff oil", "Diffs", "int", "cSt", "1000", "100000", "500", "Rear diff"),
    _p("SO_F", "Front shock oil", "Suspension", "int", "cSt", "100", "1500", "5", "Shock oil", "F", quick=True),
    _p("SP_F", "Front spring", "Suspension", "text", row="Spring", side="F"),
    _p("SB_F", "Front sway bar", "Suspension", "decimal", "mm", "0", "4.0", "0.1", "Sway bar", "F", quick=True),
    _p("P_F", "Front piston", "Suspension", "text", row="Piston", side="F", piston=True),
    _p("Toe_F", "Front toe", "Geometry", "decimal", "°", "-5", "5", "0.5", "Toe", "F"),
    _p("RH_F", "Front ride height", "Geometry", "decimal", "mm", "10", "50", "0.5", "Ride height", "F", quick=True),
    _p("C_F", "Front camber", "Geometry", "decimal", "°", "-6", "3", "0.5", "Camber", "F", quick=True),
    _p("ST_F", "Front shock length", "Geometry", "decimal", "mm", "60", "180", "0.5", "Shock length", "F"),
    _p("SO_R", "Rear shock oil", "Suspension", "int", "cSt", "100", "1500", "5", "Shock oil", "R", quick=True),
    _p("SP_R", "Rear spring", "Suspension", "text", row="Spring", side="R"),
    _p("SB_R", "Rear sway bar", "Suspension", "decimal", "mm", "0", "4.0", "0.1", "Sway bar", "R", quick=True),
    _p("P_R", "Rear piston", "Suspension", "text", row="Piston", side="R", piston=True),
    _p("Toe_R", "Rear toe", "Geometry", "decimal", "°", "-2", "6", "0.5", "Toe", "R"),
    _p("RH_R", "Rear ride height", "Geometry", "decimal", "mm", "10", "50", "0.5", "Ride height", "R", quick=True),
    _p("C_R", "Rear camber", "Geometry", "decimal", "°", "-6", "3", "0.5", "Camber", "R", quick=True),
    _p("ST_R", "Rear shock length", "Geometry", "decimal", "mm", "60", "180", "0.5", "Shock length", "R"),
    _p("Tread", "Tyre tread", "Tires", "text"),
    _p("Compound", "Tyre compound", "Tires", "text"),
    _p("Venturi", "Venturi", "Power", "decimal", "mm", "4.0", "12.0", "0.5"),
    _p("Pipe", "Pipe", "Power", "text"),
    _p("Clutch", "Clutch", "Power", "text"),
    _p("Bell", "Clutch bell", "Power", "int", "T", "10", "20", "1"),
    _p("Spur", "Spur gear", "Power", "int", "T", "30", "60", "1"),
)

PARAM_KEYS: tuple[str, ...] = tuple(p.key for p in PARAMS)
BY_KEY: dict[str, Param] = {p.key: p for p in PARAMS}
# What a racer reads for a key: "SO_F" -> "Front shock oil".
LABELS: dict[str, str] = {p.key: p.label for p in PARAMS}
PISTON_KEYS: tuple[str, ...] = tuple(p.key for p in PARAMS if p.piston)

# Starting values from TUNING.md §1, offered when a racer adds a new car.
_PRESET_ROWS: dict[str, tuple] = {
    "Tekno NB48 2.2": (
        7000, 7000, 5000, 450, "Green", "2.3", "4x1.2", "-1.0", "27.0", "-2.0", "105",
        400, "Yellow", "2.5", "4x1.7", "3.0", "28.0", "-3.0", "122",
        "Kosmos", "Green", "7.0", "REDS 2143", "4-shoe medium", 13, 48,
    ),
    "Tekno NT48 2.2": (
        10000, 10000, 7000, 600, "Pink", "2.5", "8x1.3", "-1.0", "33.0", "-2.0", "115",
        500, "Red", "2.8", "8x1.3", "3.0", "35.0", "-3.0", "135",
        "Relapse", "Green", "8.0", "REDS 2143", "4-shoe heavy", 13, 50,
    ),
}


def coerce(param: Param, raw: object) -> Value:
    """Turn a stored or typed value into the parameter's Python type (None if empty)."""
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        return None
    if param.kind == "int":
        return int(Decimal(str(raw)))
    if param.kind == "decimal":
        return Decimal(str(raw)).quantize(Decimal(1).scaleb(-param.decimals))
    return str(raw).strip()


def format_value(param: Param, value: Value) -> str:
    """Show a value as a racer writes it: ``7000``, ``2.3``, ``-1.0``, ``Green``."""
    if value is None:
        return ""
    if param.kind == "decimal":
        return f"{Decimal(value):.{max(param.decimals, 1)}f}"
    return str(value)


def with_unit(param: Param, value: Value) -> str:
    """``7000 cSt``, ``-1.0°``; empty for an unset value."""
    text = format_value(param, value)
    if not text or not param.unit:
        return text
    return f"{text}{param.unit}" if param.unit == "°" else f"{text} {param.unit}"


PRESETS: dict[str, dict[str, Value]] = {
    name: {p.key: coerce(p, v) for p, v in zip(PARAMS, row, strict=True)}
    for name, row in _PRESET_ROWS.items()
}


def empty_setup() -> dict[str, Value]:
    return {key: None for key in PARAM_KEYS}


def params_in(group: str) -> list[Param]:
    return [p for p in PARAMS if p.group == group]


@dataclass(frozen=True)
class SheetRow:
    """One line of the setup sheet: a front/rear pair or a single parameter."""

    label: str
    front: Param | None
    rear: Param | None
    single: Param | None

    @property
    def params(self) -> list[Param]:
        return [p for p in (self.single, self.front, self.rear) if p is not None]


def sheet_rows(group: str) -> list[SheetRow]:
    """Rows of a package in catalogue order, front beside rear."""
    rows: list[SheetRow] = []
    by_row: dict[str, dict[str, Param]] = {}
    for p in params_in(group):
        if not p.side:
            rows.append(SheetRow(p.label, None, None, p))
            continue
        if p.row not in by_row:
            by_row[p.row] = {}
            rows.append(SheetRow(p.row, None, None, None))
        by_row[p.row][p.side] = p
    return [
        SheetRow(r.label, by_row[r.label].get("F"), by_row[r.label].get("R"), None)
        if r.single is None
        else r
        for r in rows
    ]


def packages() -> list[tuple[str, list[SheetRow]]]:
    """Every package with its sheet rows: what setup forms and sheets lay out."""
    return [(group, sheet_rows(group)) for group in GROUPS]


def as_texts(values: dict[str, Value]) -> dict[str, str]:
    """A setup's values as the texts a form or sheet shows."""
    return {key: format_value(BY_KEY[key], values.get(key)) for key in PARAM_KEYS}


def keys_in(group: str) -> tuple[str, ...]:
    """The keys of a package, in catalogue order."""
    return tuple(p.key for p in params_in(group))


# Tread and compound: a change to either fits other tyres (TUNING §3.2).
TYRE_KEYS: tuple[str, ...] = keys_in("Tires")
# The quick trackside parameters (TUNING §3.4) in setup-sheet order, front before rear.
QUICK_KEYS: tuple[str, ...] = tuple(
    p.key for _, rows in packages() for row in rows for p in row.params if p.quick
)
