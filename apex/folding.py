"""Fold text for searching: lowercase, without accents ("Montréal" -> "montreal").

The one folding rule of APEX's searches (pure: no Flask, no I/O). The CSV store folds
both the searched text and the racer's words with ``fold``; PostgreSQL applies its
``unaccent`` dictionary and ``lower`` to both sides (sql/0015_unaccent_search.sql),
and tests/test_folding.py holds the two to the same answer for every Latin letter.

Accents come off by Unicode decomposition (NFKD: "é" is "e" + a combining accent,
which is dropped); the letters that do not decompose ("ø", "ß", "æ", "ł" ...) are
spelled as unaccent spells them.
"""

from __future__ import annotations

import unicodedata

# Letters without a decomposition, as PostgreSQL's unaccent.rules writes them.
_LETTERS = str.maketrans({
    "Æ": "AE", "æ": "ae", "Ø": "O", "ø": "o", "Œ": "OE", "œ": "oe", "ß": "ss",
    "Ð": "D", "ð": "d", "Þ": "TH", "þ": "th", "Đ": "D", "đ": "d", "Ħ": "H", "ħ": "h",
    "ı": "i", "Ł": "L", "ł": "l", "Ŀ": "L", "ŀ": "l", "Ŧ": "T", "ŧ": "t",
    "ĸ": "q", "ŉ": "'n", "Ŋ": "N", "ŋ": "n", "ẞ": "SS",
})


def fold(text: str) -> str:
    """``text`` lowercased, its accents removed, letters like "ø" and "ß" spelled out."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.translate(_LETTERS))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
