"""Compare two setups package by package, and copy one package from a setup to another.

Why it is built this way:
- Packages are the catalogue's groups (TUNING.md §1) in catalogue order, and each
  package's rows come from ``sheet_rows``, so the compare view reads like the setup
  sheet: front beside rear.
- Values are compared as the catalogue types them (``coerce``): ``2.30`` matches
  ``2.3``, ``7000`` matches ``Decimal("7000")``. Text matches ignoring case and
  surrounding spaces ("green" is the same spring as "Green").
- A parameter blank on both sides is "not set": neither a match nor a difference. A
  count of blanks matching would make two empty setups look identical, so the count
  runs over the parameters set on both sides ("7 of 12 set on both match"); one set
  on one side only is a difference, outside the count.
- Parameters are named by their labels ("Front shock oil +50 cSt"), never their keys.
- A delta is *right minus left* (for ``package_changes``: proposed minus current) and
  is written as racers write it: ``+50 cSt``, ``−0.5°``. The sign of a delta is always
  shown, and a decrease uses the real minus sign U+2212 (``MINUS``), never "-": a
  delta is display text, never read back as a number.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from apex.catalogue import BY_KEY, GROUPS, Param, Value, coerce, params_in, sheet_rows, with_unit

MINUS = "\u2212"  # the sign of a negative delta ("−0.5°")

Setup = dict[str, Value]


@dataclass(frozen=True)
class ParamCompare:
    """One parameter in both setups."""

    param: Param
    left: Value
    right: Value
    match: bool  # set on both sides and the same (blank on both is ``unset``, not a match)
    delta: Decimal | int | None  # right - left; only for numbers that differ and are both set
    delta_text: str  # "+50 cSt", "−0.5°"; "" when there is no delta

    @property
    def key(self) -> str:
        return self.param.key

    @property
    def unset(self) -> bool:
        """Blank on both sides: "not set"."""
        return self.left is None and self.right is None

    @property
    def differs(self) -> bool:
        return not self.match and not self.unset

    @property
    def left_text(self) -> str:
        return with_unit(self.param, self.left)

    @property
    def right_text(self) -> str:
        return with_unit(self.param, self.right)

    @property
    def change_text(self) -> str:
        """``Front shock oil +50 cSt``: the label and the delta ("" when there is none)."""
        return f"{self.param.label} {self.delta_text}" if self.delta_text else ""


@dataclass(frozen=True)
class RowCompare:
    """A setup-sheet row: a front/rear pair or a single parameter."""

    label: str
    front: ParamCompare | None
    rear: ParamCompare | None
    single: ParamCompare | None

    @property
    def params(self) -> list[ParamCompare]:
        return [p for p in (self.single, self.front, self.rear) if p is not None]


@dataclass(frozen=True)
class PackageCompare:
    """One package (catalogue group): its rows; of its parameters set on both sides
    (``total``), how many match."""

    group: str
    rows: list[RowCompare]
    matches: int
    total: int

    @property
    def summary(self) -> str:
        return _summary(self.matches, self.total)

    @property
    def differences(self) -> list[ParamCompare]:
        return [p for row in self.rows for p in row.params if p.differs]


@dataclass(frozen=True)
class Comparison:
    """Every package of two setups, and the overall count ("19 of 22 set on both match")."""

    packages: list[PackageCompare]
    matches: int
    total: int

    @property
    def summary(self) -> str:
        return _summary(self.matches, self.total)

    @property
    def differences(self) -> list[ParamCompare]:
        return [p for package in self.packages for p in package.differences]


@dataclass(frozen=True)
class Change:
    """One parameter to set when a package is copied: ``before`` -> ``after``."""

    key: str
    before: Value
    after: Value

    @property
    def delta_text(self) -> str:
        """``+50 cSt`` for a number set on both sides, else ""."""
        return delta_text(self.key, self.before, self.after)


def compare_setups(left: Setup, right: Setup, power: str = "") -> Comparison:
    """``left`` against ``right`` (key -> value; a missing key counts as unset), on the
    parameters of ``power`` when both setups are of that power ("" compares them all)."""
    packages: list[PackageCompare] = []
    for group in GROUPS:
        rows = [
            RowCompare(
                row.label,
                _param(row.front, left, right),
                _param(row.rear, left, right),
                _param(row.single, left, right),
            )
            for row in sheet_rows(group, power)
        ]
        both = [p for row in rows for p in row.params if p.left is not None
                and p.right is not None]
        packages.append(PackageCompare(group, rows, sum(p.match for p in both), len(both)))
    return Comparison(
        packages, sum(p.matches for p in packages), sum(p.total for p in packages)
    )


def package_changes(current: Setup, proposed: Setup, group: str) -> list[Change]:
    """What copying ``group`` from ``proposed`` onto ``current`` changes, in catalogue order.

    Only that package's keys whose values differ; an unset proposed value clears the
    current one (after copying, the package is the same in both). ValueError for a
    group that is not a catalogue package.
    """
    if group not in GROUPS:
        raise ValueError(f"{group!r} is not a package: one of {', '.join(GROUPS)}")
    return setup_changes(current, proposed, params_in(group))


def setup_changes(
    current: Mapping[str, Value], proposed: Mapping[str, Value], params: Iterable[Param]
) -> list[Change]:
    """The ``params`` whose proposed value differs from the current one, in their order.

    Text compares case-insensitively ("green" is not a change from "Green")."""
    changes: list[Change] = []
    for param in params:
        before = coerce(param, current.get(param.key))
        after = coerce(param, proposed.get(param.key))
        if not _same(param, before, after):
            changes.append(Change(param.key, before, after))
    return changes


def delta_text(key: str, before: Value, after: Value) -> str:
    """``+50 cSt`` for a numeric parameter going from ``before`` to ``after`` ("" if none)."""
    param = BY_KEY[key]
    return _delta(param, coerce(param, before), coerce(param, after))[1]


def _param(param: Param | None, left: Setup, right: Setup) -> ParamCompare | None:
    if param is None:
        return None
    a, b = coerce(param, left.get(param.key)), coerce(param, right.get(param.key))
    same = _same(param, a, b)
    delta, text = (None, "") if same else _delta(param, a, b)
    return ParamCompare(param, a, b, same and a is not None, delta, text)


def _same(param: Param, a: Value, b: Value) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if param.is_numeric:
        return Decimal(a) == Decimal(b)
    return str(a).strip().casefold() == str(b).strip().casefold()


def _delta(param: Param, a: Value, b: Value) -> tuple[Decimal | int | None, str]:
    """``b - a`` and its text, for a numeric parameter with both values set."""
    if not param.is_numeric or a is None or b is None:
        return None, ""
    delta: Decimal | int = Decimal(b) - Decimal(a)
    if param.kind == "int":
        delta = int(delta)
    if delta == 0:
        return None, ""
    sign = "+" if delta > 0 else MINUS
    return delta, sign + with_unit(param, coerce(param, abs(delta)))


def _summary(matches: int, total: int) -> str:
    return f"{matches} of {total} set on both match" if total else "nothing set on both"
