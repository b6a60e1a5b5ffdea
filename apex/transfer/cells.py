"""Spreadsheet formula injection, one rule for every CSV a racer downloads.

A cell a spreadsheet would run as a formula (it starts with ``=``, ``+``, ``-``,
``@``, tab or CR) gets a leading ``'``. To keep every text round-trip exact, a cell
that already starts with ``'`` in front of such a character gets one more ``'``;
``restore`` removes exactly one ``'`` from a cell that starts with ``'`` in front of
such a character (``''=x`` -> ``'=x``) and leaves ``'Kosmos'`` alone.
"""

from __future__ import annotations

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def neutralise(text: str) -> str:
    """``=HYPERLINK(…)`` -> ``'=HYPERLINK(…)``; other text as it is (see the module doc)."""
    return "'" + text if text.lstrip("'")[:1] in FORMULA_STARTS else text


def restore(text: str) -> str:
    """Undo ``neutralise``: one leading ``'`` off a cell it would have marked."""
    return text[1:] if text[:1] == "'" and text.lstrip("'")[:1] in FORMULA_STARTS else text
