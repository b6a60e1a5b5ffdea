"""Setup values under a change: the concrete result of a candidate, and the
direction of a change already recorded.

Why its own module: the engine's promise (TUNING §3.9) is that every proposal is
a value within the catalogue's min/max and on its step, stated as current →
proposed. This is where that is checked, and where a skipped candidate gets the
plain reason the racer reads ("DF 1000 → 0 cSt is below the minimum (1000 cSt)").
Pistons are text ("4x1.2", holes x mm): a candidate changes the hole size, and
only a value that reads as holes x mm can be changed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from apex.advisor.rules import Rules
from apex.catalogue import (
    BY_KEY,
    PISTON_KEYS,
    Value,
    coerce,
    format_value,
    move_direction,
    with_unit,
)
from apex.compare import MINUS
from apex.models import SetupChange

_PISTON = re.compile(r"\s*([0-9]+)\s*[xX×]\s*([0-9]+(?:\.[0-9]+)?)\s*")


@dataclass(frozen=True)
class Outcome:
    """A candidate tried on the current value: the new value, or why not."""

    value: Value
    problem: str = ""  # "" when ``value`` can be proposed


def apply_change(key: str, current: Value, change: Decimal, rules: Rules) -> Outcome:
    """``current`` changed by ``change`` (hole size in mm for a piston)."""
    if key in PISTON_KEYS:
        return _apply_piston(key, current, change, rules)
    param = BY_KEY[key]
    try:
        now = coerce(param, current)
    except (InvalidOperation, ValueError):
        return Outcome(None, f"{param.label} {current!r} is not a number")
    if now is None:
        return Outcome(None, f"{param.label} is not set in the event setup")
    assert param.min is not None and param.max is not None and param.step is not None
    number = Decimal(now) + change
    if (Decimal(now) - param.min) % param.step:
        return Outcome(None, f"{param.label} {with_unit(param, now)} is off the "
                             f"{with_unit(param, param.step)} step")
    text = f"{param.label} {format_value(param, now)} → {with_unit(param, coerce(param, number))}"
    if number < param.min:
        return Outcome(None, f"{text} is below the minimum ({with_unit(param, param.min)})")
    if number > param.max:
        return Outcome(None, f"{text} is above the maximum ({with_unit(param, param.max)})")
    return Outcome(coerce(param, number))


def _apply_piston(key: str, current: Value, change: Decimal, rules: Rules) -> Outcome:
    piston = _read_piston(current)
    label = BY_KEY[key].label
    if piston is None:
        if current is None or str(current).strip() == "":
            return Outcome(None, f"{label} is not set in the event setup")
        return Outcome(None, f"{label} {current} is not written as holes x mm (like 4x1.2)")
    holes, size = piston
    new = f"{holes}x{size + change}"
    if size + change < rules.piston_hole_min:
        return Outcome(None, f"{label} {current} → {new}: holes under {rules.piston_hole_min} mm")
    if size + change > rules.piston_hole_max:
        return Outcome(None, f"{label} {current} → {new}: holes over {rules.piston_hole_max} mm")
    return Outcome(new)


def _read_piston(value: object) -> tuple[int, Decimal] | None:
    match = _PISTON.fullmatch(str(value)) if value is not None else None
    return (int(match[1]), Decimal(match[2])) if match else None


def change_text(key: str, change: Decimal) -> str:
    """A candidate as the racer reads it, by label: ``Front diff oil −1000 cSt``,
    ``Rear piston bigger holes (+0.1 mm)``."""
    sign = "+" if change > 0 else MINUS
    param = BY_KEY[key]
    if key in PISTON_KEYS:
        return (f"{param.label} {'bigger' if change > 0 else 'smaller'} holes "
                f"({sign}{abs(change)} mm)")
    return f"{param.label} {sign}{with_unit(param, coerce(param, abs(change)))}"


def value_text(key: str, current: Value, new: Value) -> str:
    """``Front shock oil 450 → 500 cSt``: a change by label, with its unit."""
    param = BY_KEY[key]
    return f"{param.label} {format_value(param, current) or 'unset'} → {with_unit(param, new)}"


def recorded_direction(change: SetupChange) -> int:
    """+1 (up, bigger holes), -1 (down, smaller holes), 0 (unknown: text, unset, unread)."""
    return move_direction(change.parameter, change.old_value, change.new_value)


def recorded_text(change: SetupChange) -> str:
    """``Front diff oil 7000 → 6000 cSt`` for a recorded change (its texts as they are if
    unreadable)."""
    param = BY_KEY.get(change.parameter)
    old, new = change.old_value or "unset", change.new_value or "unset"
    if param is not None:
        try:
            old = format_value(param, coerce(param, change.old_value)) or "unset"
            new = with_unit(param, coerce(param, change.new_value)) or "unset"
        except (InvalidOperation, ValueError):
            pass
    label = param.label if param is not None else change.parameter
    return f"{label} {old} → {new}"
