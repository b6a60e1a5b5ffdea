"""The setup-parameter catalogue: the one place a parameter is named.

SQL columns, CSV headers, the marshmallow schema, the Shop Master form, the
setup sheet (and later the compare view and the advisor's bounds) are all
derived from ``PARAMS``. Facts come from TUNING.md §1.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from apex.quantum import as_decimal, quantum

Kind = Literal["int", "decimal", "text"]
Value = int | Decimal | str | None
# A car's power; a parameter of one power only is left empty on a car of the other.
Power = Literal["nitro", "electric"]
NITRO: Power = "nitro"
ELECTRIC: Power = "electric"
POWERS: tuple[Power, ...] = (NITRO, ELECTRIC)

GROUPS: tuple[str, ...] = ("Diffs", "Suspension", "Geometry", "Tires", "Power")
# How racers write each unit a parameter has (``Param.unit``) after a number in a file:
# ``7000cst``, ``2.5 deg``, ``13T`` (case is ignored). Import reads a value in its
# parameter's own unit and refuses one in another's (apex.transfer.values).
UNIT_SPELLINGS: dict[str, tuple[str, ...]] = {
    "cSt": ("cst",), "mm": ("mm",), "°": ("º", "deg", "degs", "degree", "degrees"),
    "T": ("t", "teeth"),
}
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
    # The one power this parameter belongs to; "" for both (most of them).
    power: Power | Literal[""] = ""
    # Written as holes x mm (``4x1.2``): the advisor changes its hole size, import
    # turns an old ``1.2x4`` round (TUNING §1).
    piston: bool = False
    # A quick trackside change, the only kind allowed before a main (TUNING §3.4).
    quick: bool = False
    # How a racer says it went down, and up: "Front diff oil thinner" (apex.verdicts'
    # history). A text parameter has no direction: it is "changed".
    moves: tuple[str, str] = ("lower", "higher")

    def fits(self, power: str) -> bool:
        """Whether a car of this power has this parameter (any power: "" fits all)."""
        return not power or self.power in ("", power)

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


def _p(
    key: str, label: str, group: str, kind: Kind, unit: str = "", lo: str | None = None,
    hi: str | None = None, step: str | None = None, row: str = "",
    side: Literal["F", "R", ""] = "", power: Power | Literal[""] = "", *,
    piston: bool = False, quick: bool = False, moves: tuple[str, str] | None = None,
) -> Param:
    return Param(key, label, group, kind, unit, _n(lo), _n(hi), _n(step), row or label, side,
                 power, piston, quick, moves or _MOVES_BY_UNIT.get(unit, ("lower", "higher")))


_MOVES_BY_UNIT: dict[str, tuple[str, str]] = {
    "cSt": ("thinner", "thicker"), "T": ("fewer teeth", "more teeth"), "°": ("less", "more"),
}
_BAR = ("thinner", "thicker")
_LENGTH = ("shorter", "longer")
_CAMBER = ("more negative", "less negative")
_TOE = ("more toe-out", "more toe-in")
_HOLES = ("smaller holes", "bigger holes")


PARAMS: tuple[Param, ...] = (
    _p("DF", "Front diff oil", "Diffs", "int", "cSt", "1000", "100000", "500", "Front diff"),
    _p("DC", "Centre diff oil", "Diffs", "int", "cSt", "1000", "100000", "500", "Centre diff"),
    _p("DR", "Rear diff oil", "Diffs", "int", "cSt", "1000", "100000", "500", "Rear diff"),
    _p("SO_F", "Front shock oil", "Suspension", "int", "cSt", "100", "1500", "5", "Shock oil", "F", quick=True),
    _p("SP_F", "Front spring", "Suspension", "text", row="Spring", side="F"),
    _p("SB_F", "Front sway bar", "Suspension", "decimal", "mm", "0", "4.0", "0.1", "Sway bar", "F", quick=True, moves=_BAR),
    _p("P_F", "Front piston", "Suspension", "text", row="Piston", side="F", piston=True, moves=_HOLES),
    _p("Toe_F", "Front toe", "Geometry", "decimal", "°", "-5", "5", "0.5", "Toe", "F", moves=_TOE),
    _p("RH_F", "Front ride height", "Geometry", "decimal", "mm", "10", "50", "0.5", "Ride height", "F", quick=True),
    _p("C_F", "Front camber", "Geometry", "decimal", "°", "-6", "3", "0.5", "Camber", "F", quick=True, moves=_CAMBER),
    _p("ST_F", "Front shock length", "Geometry", "decimal", "mm", "60", "180", "0.5", "Shock length", "F", moves=_LENGTH),
    _p("SO_R", "Rear shock oil", "Suspension", "int", "cSt", "100", "1500", "5", "Shock oil", "R", quick=True),
    _p("SP_R", "Rear spring", "Suspension", "text", row="Spring", side="R"),
    _p("SB_R", "Rear sway bar", "Suspension", "decimal", "mm", "0", "4.0", "0.1", "Sway bar", "R", quick=True, moves=_BAR),
    _p("P_R", "Rear piston", "Suspension", "text", row="Piston", side="R", piston=True, moves=_HOLES),
    _p("Toe_R", "Rear toe", "Geometry", "decimal", "°", "-2", "6", "0.5", "Toe", "R", moves=_TOE),
    _p("RH_R", "Rear ride height", "Geometry", "decimal", "mm", "10", "50", "0.5", "Ride height", "R", quick=True),
    _p("C_R", "Rear camber", "Geometry", "decimal", "°", "-6", "3", "0.5", "Camber", "R", quick=True, moves=_CAMBER),
    _p("ST_R", "Rear shock length", "Geometry", "decimal", "mm", "60", "180", "0.5", "Shock length", "R", moves=_LENGTH),
    _p("Tread", "Tyre tread", "Tires", "text"),
    _p("Compound", "Tyre compound", "Tires", "text"),
    _p("Venturi", "Venturi", "Power", "decimal", "mm", "4.0", "12.0", "0.5", power=NITRO, moves=("smaller", "bigger")),
    _p("Pipe", "Pipe", "Power", "text", power=NITRO),
    _p("Clutch", "Clutch", "Power", "text", power=NITRO),
    _p("Bell", "Clutch bell", "Power", "int", "T", "10", "20", "1", power=NITRO),
    _p("Spur", "Spur gear", "Power", "int", "T", "30", "60", "1"),
    _p("Pinion", "Pinion", "Power", "int", "T", "8", "30", "1", power=ELECTRIC),
    _p("Motor", "Motor", "Power", "text", power=ELECTRIC),
    _p("Timing", "Timing", "Power", "int", "°", "0", "60", "1", power=ELECTRIC),
    _p("Battery", "Battery", "Power", "text", power=ELECTRIC),
)

PARAM_KEYS: tuple[str, ...] = tuple(p.key for p in PARAMS)
BY_KEY: dict[str, Param] = {p.key: p for p in PARAMS}
# What a racer reads for a key: "SO_F" -> "Front shock oil".
LABELS: dict[str, str] = {p.key: p.label for p in PARAMS}
PISTON_KEYS: tuple[str, ...] = tuple(p.key for p in PARAMS if p.piston)


def short_label(key: str) -> str:
    """A label where space is tight (a chart): "F camber" for "Front camber"."""
    label = LABELS.get(key, key)
    for side, short in (("Front ", "F "), ("Rear ", "R "), ("Centre ", "C ")):
        if label.startswith(side):
            return short + label[len(side):]
    return label


_HOLES_X_MM = re.compile(r"\s*([0-9]+)\s*[xX×]\s*([0-9]+(?:\.[0-9]+)?)\s*")


def move_direction(key: str, old: object, new: object) -> int:
    """+1 when a value went up (a piston: bigger holes), −1 down, 0 when there is no
    reading it (a text parameter, an unset or unreadable value, no move)."""
    param = BY_KEY.get(key)
    a: object
    b: object
    if param is not None and param.piston:
        holes = [_HOLES_X_MM.fullmatch(str(v)) if v is not None else None for v in (old, new)]
        a, b = (Decimal(m[2]) if m else None for m in holes)
    elif param is not None and param.is_numeric:
        try:
            a, b = coerce(param, old), coerce(param, new)
        except (ArithmeticError, ValueError):
            return 0
    else:
        return 0
    if a is None or b is None or a == b:
        return 0
    return 1 if Decimal(str(b)) > Decimal(str(a)) else -1


def move_label(key: str, direction: int, *, short: bool = False) -> str:
    """A change in words: "Front diff oil thinner" (direction −1; "F diff oil thinner"
    when ``short``), "Front spring changed" (0: a text parameter, or no direction)."""
    param = BY_KEY.get(key)
    label = short_label(key) if short else LABELS.get(key, key)
    if param is None or direction == 0:
        return f"{label} changed"
    return f"{label} {param.moves[direction > 0]}"


def coerce(param: Param, raw: object) -> Value:
    """Turn a stored or typed value into the parameter's Python type (None if empty)."""
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        return None
    if param.kind == "int":
        return raw if type(raw) is int else int(as_decimal(raw))
    if param.kind == "decimal":
        return as_decimal(raw).quantize(quantum(param.decimals))
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


def empty_setup() -> dict[str, Value]:
    return {key: None for key in PARAM_KEYS}


def for_power(values: Mapping[str, Value], power: str) -> dict[str, Value]:
    """Every parameter, those of the other power emptied: what a car of ``power`` saves."""
    return {p.key: values.get(p.key) if p.fits(power) else None for p in PARAMS}


def _preset(power: Power, **given: object) -> tuple[Power, dict[str, Value]]:
    """A starting setup: the values named (each checked against the catalogue), the rest unset."""
    values = {**empty_setup(), **{k: coerce(BY_KEY[k], v) for k, v in given.items()}}
    if values != for_power(values, power):
        raise ValueError(f"a {power} preset names a parameter of the other power")
    return power, values


# Starting values from TUNING.md §1, offered when a racer adds a new car: each names its
# parameters, so a parameter added to the catalogue needs no change here.
_PRESETS: dict[str, tuple[Power, dict[str, Value]]] = {
    "Tekno NB48 2.2": _preset(
        NITRO, DF=7000, DC=7000, DR=5000, SO_F=450, SP_F="Green", SB_F="2.3", P_F="4x1.2",
        Toe_F="-1.0", RH_F="27.0", C_F="-2.0", ST_F="105", SO_R=400, SP_R="Yellow",
        SB_R="2.5", P_R="4x1.7", Toe_R="3.0", RH_R="28.0", C_R="-3.0", ST_R="122",
        Tread="Kosmos", Compound="Green", Venturi="7.0", Pipe="REDS 2143",
        Clutch="4-shoe medium", Bell=13, Spur=48),
    "Tekno NT48 2.2": _preset(
        NITRO, DF=10000, DC=10000, DR=7000, SO_F=600, SP_F="Pink", SB_F="2.5", P_F="8x1.3",
        Toe_F="-1.0", RH_F="33.0", C_F="-2.0", ST_F="115", SO_R=500, SP_R="Red", SB_R="2.8",
        P_R="8x1.3", Toe_R="3.0", RH_R="35.0", C_R="-3.0", ST_R="135", Tread="Relapse",
        Compound="Green", Venturi="8.0", Pipe="REDS 2143", Clutch="4-shoe heavy", Bell=13,
        Spur=50),
    # TUNING §1 gives the EB48's power start only; the rest stays for the racer to fill.
    "Tekno EB48 2.2": _preset(
        ELECTRIC, Pinion=16, Motor="2050kV 4-pole", Timing=0, Battery="4S 6500"),
}
PRESETS: dict[str, dict[str, Value]] = {name: v for name, (_, v) in _PRESETS.items()}
PRESET_POWERS: dict[str, Power] = {name: power for name, (power, _) in _PRESETS.items()}


def params_in(group: str, power: str = "") -> list[Param]:
    """The group's parameters; given a power, only those a car of that power has."""
    return [p for p in PARAMS if p.group == group and p.fits(power)]


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


def sheet_rows(group: str, power: str = "") -> list[SheetRow]:
    """Rows of a package in catalogue order, front beside rear (of one power, if given)."""
    rows: list[SheetRow] = []
    by_row: dict[str, dict[str, Param]] = {}
    for p in params_in(group, power):
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


def packages(power: str = "") -> list[tuple[str, list[SheetRow]]]:
    """Every package with its sheet rows: what setup forms and sheets lay out.

    Given a car's power, only that power's parameters; without, every parameter.
    """
    return [(group, sheet_rows(group, power)) for group in GROUPS]


def power_of(values: Mapping[str, Value]) -> str:
    """The power a setup without a car shows (a library baseline): the power whose own
    parameters have values, or "" (both) when none or both do."""
    used = {p.power for p in PARAMS if p.power and values.get(p.key) not in (None, "")}
    return used.pop() if len(used) == 1 else ""


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


# Keys a racer would not read as words: found in no label ("Spur" is in "Spur gear"; "Bell"
# is not in "Clutch bell"). Texts the app wrote with them (old notebook entries) are shown
# with the labels instead.
RAW_CODES: tuple[str, ...] = tuple(
    p.key for p in PARAMS
    if not any(re.search(rf"\b{re.escape(p.key)}\b", q.label) for q in PARAMS)
)
_RAW_CODE = re.compile(r"(?<![\w/])(" + "|".join(map(re.escape, RAW_CODES)) + r")(?![\w/])")


def label_codes(text: str) -> str:
    """``text`` with every raw parameter code replaced by its label ("DF 7000 → 6000" ->
    "Front diff oil 7000 → 6000"): for texts the app wrote, never for what a racer typed."""
    return _RAW_CODE.sub(lambda m: BY_KEY[m.group(1)].label, text)
