"""Spreadsheet formula injection, one rule for every CSV APEX writes (pure).

A cell a spreadsheet would run as a formula (it starts with ``=``, ``+``, ``-``,
``@``, tab or CR) gets a leading ``'``; a plain number (Toe ``-1.0``) may stay a
number. To keep every round trip exact, a cell that already starts with ``'`` in
front of such a character gets one more ``'``, and ``restore`` removes exactly one
``'`` from a cell that starts with ``'`` in front of such a character (``''=x`` ->
``'=x``), leaving ``'Kosmos'`` alone. Used by the racer-facing downloads
(apex.library_csv, apex.event_csv) and by the table files of the CSV store, which
``flask db export-csv`` writes (apex.tables ``to_text``/``from_text``).
"""

from __future__ import annotations

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def neutralise(text: str) -> str:
    """``=HYPERLINK(…)`` -> ``'=HYPERLINK(…)``; other text as it is."""
    return "'" + text if text.lstrip("'")[:1] in FORMULA_STARTS else text


def restore(text: str) -> str:
    """Undo ``neutralise``: one leading ``'`` off a cell it would have marked."""
    return text[1:] if text[:1] == "'" and text.lstrip("'")[:1] in FORMULA_STARTS else text


def safe_cell(text: str) -> str:
    """``neutralise``, but a plain number stays a number (``restore`` undoes both)."""
    return text if PLAIN_NUMBER.fullmatch(text) else neutralise(text)
