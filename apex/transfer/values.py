"""One parameter cell as racers wrote it in a file -> the catalogue value (TUNING.md §1).

The one place that reads a typed cell of an old-app export (``apex.transfer.legacy``)
and of a library CSV upload (``apex.library_csv``). Why it is built this way:
- A unit after a number (``7000cst``, ``450 cSt``, ``-2°``, ``2.5 deg``, ``3.5mm``,
  ``13T``) is read when it is the parameter's own unit in the catalogue
  (``Param.unit``, spelled any way ``UNIT_SPELLINGS`` knows). Another parameter's unit
  (``mm`` on a diff oil) is an error: a value in the wrong unit is a wrong value, and
  silently dropping the unit would store it as if it were right.
- ``N/A``, ``n/a`` and ``-`` in a number column mean "not known": blank, with a
  warning, so the racer sees which cells were left empty.
- Oils as ``7k`` or ``7,000``; pistons "holes x diameter" whichever way round or with
  a decimal comma (``1.2x4.0``, ``1,2x6`` -> ``4x1.2``, ``6x1.2``).
- Every error quotes the cell as written, then the checker's reason (the limit).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from apex.catalogue import BY_KEY, UNIT_SPELLINGS, Value
from apex.transfer import readers

# Cells that say "no value" in a number column (compared case-insensitively).
BLANK_WORDS = ("n/a", "-")
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+")
_PISTON = re.compile(r"(\d+(?:[.,]\d+)?)\s*[xX×]\s*(\d+(?:[.,]\d+)?)")
# A number (maybe ``7k``) and a word after it: the word may be a unit.
_WITH_UNIT = re.compile(r"(?P<number>[+-]?[\d.,\s]*\d\.?[kK]?)\s*(?P<unit>[^\d\s.,+-][^\d\s]*)")
_UNIT_OF_SPELLING = {s.casefold(): unit for unit, spellings in UNIT_SPELLINGS.items()
                     for s in (unit, *spellings)}


@dataclass(frozen=True)
class Cell:
    """A read cell: its value, and a warning ("" when none) about how it was read."""

    value: Value
    warning: str = ""


def read_param(key: str, text: str) -> Cell:
    """A parameter cell: quirks normalised, then checked (ValueError quoting the cell)."""
    param, text = BY_KEY[key], text.strip()
    if param.is_numeric and text.casefold() in BLANK_WORDS:
        return Cell(None, f"{text!r} read as not set")
    cell = text
    if param.is_numeric:
        cell, unit = split_unit(text)
        if unit and _UNIT_OF_SPELLING.get(unit.casefold()) != param.unit:
            raise ValueError(f"{text!r}: {unit} is not a unit of {param.label.lower()}: "
                             f"write it in {param.unit}")
        if param.kind == "int":
            cell = oil_text(cell)
    elif param.piston:
        cell = normalise_piston(text)
    try:
        return Cell(readers.param_value(key, cell))
    except ValueError as e:
        raise ValueError(f"{text!r}: {e}") from None


def legacy_param(key: str, text: str) -> Value:
    """``read_param``'s value alone (a caller that has nowhere to show a warning)."""
    return read_param(key, text).value


def split_unit(text: str) -> tuple[str, str]:
    """``450 cSt`` -> (``450``, ``cSt``); a known unit spelling only, else (text, "").

    A word that is no unit (``7q``) stays on the number for the checker to refuse;
    ``k`` is the thousands of ``7k``, not a unit.
    """
    match = _WITH_UNIT.fullmatch(text.strip())
    if match is None or match["unit"].casefold() not in _UNIT_OF_SPELLING:
        return text, ""
    return match["number"].strip(), match["unit"]


def oil_text(text: str) -> str:
    """``7k``/``7.5k``/``7,000``/``7 000`` -> ``7000``; anything else is left for the checker."""
    compact = text.replace(" ", "")
    if compact[-1:] in ("k", "K"):
        try:
            number = Decimal(compact[:-1]) * 1000
        except ArithmeticError:  # not a number, or one too large (decimal.Overflow)
            return text
        if not number.is_finite():
            return text
        return str(int(number)) if number == number.to_integral_value() else str(number)
    return compact.replace(",", "") if _THOUSANDS.fullmatch(compact) else compact


def normalise_piston(text: str) -> str:
    """Pistons are "holes x diameter" (``4x1.2``, TUNING §1); old files wrote ``1.2x4``.

    The hole count is the whole number of the two (``1.2x4.0`` and ``4.0x1.2`` are
    ``4x1.2``); a decimal comma reads as a point (``1,2x6`` -> ``6x1.2``). When both
    are whole, the one written with a decimal point is the diameter; when that does
    not tell (``6x1``, ``4.0x1.0``, ``1.2x1.3``) the text is left as written.
    ``X``/``×`` become ``x``; text that is not ``AxB`` stays as it is.
    """
    match = _PISTON.fullmatch(text.strip())
    if match is None:
        return text
    a_text, b_text = (t.replace(",", ".") for t in match.groups())
    try:
        a, b = Decimal(a_text), Decimal(b_text)
    except InvalidOperation:
        return text
    whole_a, whole_b = a == a.to_integral_value(), b == b.to_integral_value()
    if whole_a and whole_b:  # 1.0x4 (old order): the one decimal point marks the mm
        whole_a, whole_b = "." not in a_text, "." not in b_text
    if whole_a == whole_b:
        return text
    holes, mm = (a, b) if whole_a else (b, a)
    return f"{int(holes)}x{_mm(mm)}"


def _mm(value: Decimal) -> str:
    """``1.20`` -> ``1.2``, ``1`` -> ``1.0``: a diameter keeps one decimal at least."""
    text = f"{value.normalize():f}"
    return text if "." in text else f"{text}.0"
