"""Tag run notes with the handling keywords racers care about.

Notes are free text ("bottomed out on the double, loose on entry"); counting
which handling words come up across runs shows the car's recurring problem.
The matching rules are data (``STEMS``) so a new word form is a one-line fix.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

KEYWORDS: tuple[str, ...] = (
    "bottoming", "wash", "stability", "loose", "traction", "rotation",
    "consistency", "entry", "exit", "jump", "land",
)

# keyword -> word beginnings that mean it. A word matches when it starts with a stem.
STEMS: dict[str, tuple[str, ...]] = {
    "bottoming": ("bottom",),  # bottomed, bottoming, bottoms out
    "wash": ("wash",),  # washes, washing, washy
    "stability": ("stab", "unstab"),  # stable, stability, unstable
    "loose": ("loose",),  # looser, loosest, loosen
    "traction": ("traction",),
    "rotation": ("rotat",),  # rotate, rotates, rotating
    "consistency": ("consisten", "inconsisten"),  # consistent, inconsistency
    "entry": ("entry", "entries"),
    "exit": ("exit",),  # exits, exiting, exited
    "jump": ("jump",),  # jumps, jumping, jumped
    "land": ("land",),  # lands, landing, landed
}

# Letters only: digits, underscores, punctuation and hyphens split words.
_WORD = re.compile(r"[^\W\d_]+")


def _fold(text: str) -> str:
    """Lower case without accents, so "Stabilité" still starts with "stab"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _words(note: str) -> list[str]:
    return _WORD.findall(_fold(note))


def tag_keywords(note: str) -> list[str]:
    """Keywords the note mentions, in ``KEYWORDS`` order, each once."""
    words = _words(note)
    return [
        keyword
        for keyword in KEYWORDS
        if any(word.startswith(STEMS[keyword]) for word in words)
    ]


def count_keywords(notes: Iterable[str]) -> dict[str, int]:
    """Keyword -> how many notes mention it (only keywords seen, in ``KEYWORDS`` order)."""
    counts = dict.fromkeys(KEYWORDS, 0)
    for note in notes:
        for keyword in tag_keywords(note):
            counts[keyword] += 1
    return {keyword: n for keyword, n in counts.items() if n}
