"""The prefixes the old app wrote at the start of some track-log notes.

``SESSION_START:`` opened a session (event, classes, track and its context, car),
``DIGITAL_TWIN_UPDATE:`` recorded a setup change and ``LIVERC_SYNC:`` a timed run.
The import keeps each note whole and uses these parsers for its kind and track;
later work turns them into events, setup changes and laps.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

SESSION_START, TWIN_UPDATE, LIVERC_SYNC = "SESSION_START:", "DIGITAL_TWIN_UPDATE:", "LIVERC_SYNC:"


@dataclass(frozen=True)
class SessionStart:
    """``SESSION_START: EVENT e | CLASSES c | TRACK Name (Size/Traction/Surface/Cond.) | Car c``"""

    event: str
    classes: str
    track: str
    track_context: tuple[str, ...]  # as written, e.g. ("Large", "High", "Dry", "Smooth")
    car: str


@dataclass(frozen=True)
class LiveRcSync:
    """``LIVERC_SYNC: 12 Laps / 6:05.2 | Fastest 30.9 | Consistency 92%`` (None: not given)."""

    laps: int | None
    total: Decimal | None  # seconds
    fastest: Decimal | None
    consistency: Decimal | None  # percent


def note_kind(note: str) -> str:
    """``system`` for session starts and LiveRC syncs, ``change`` for twin updates, else note."""
    if note.startswith((SESSION_START, LIVERC_SYNC)):
        return "system"
    return "change" if note.startswith(TWIN_UPDATE) else "note"


def parse_session_start(note: str) -> SessionStart | None:
    """The event, classes, track (name and context) and car a session start names."""
    if not note.startswith(SESSION_START):
        return None
    parts: dict[str, str] = {}
    for part in note[len(SESSION_START):].split("|"):
        word, _, rest = part.strip().partition(" ")
        parts.setdefault(word.upper(), rest.strip())
    track = parts.get("TRACK", "")
    match = re.fullmatch(r"(.*?)\s*\(([^()]*)\)", track)
    name, context = (match.group(1), match.group(2)) if match else (track, "")
    return SessionStart(parts.get("EVENT", ""), parts.get("CLASSES", ""), name,
                        tuple(w.strip() for w in context.split("/") if w.strip()),
                        parts.get("CAR", ""))


def parse_twin_update(note: str) -> list[tuple[str, str]]:
    """``DIGITAL_TWIN_UPDATE: DF -> 6000`` -> ``[("DF", "6000")]`` (value unchecked)."""
    if not note.startswith(TWIN_UPDATE):
        return []
    changes = []
    for part in re.split(r"[|;]", note[len(TWIN_UPDATE):]):
        key, arrow, value = part.partition("->")
        if arrow and key.strip() and value.strip():
            changes.append((key.strip(), value.strip()))
    return changes


def parse_liverc_sync(note: str) -> LiveRcSync | None:
    """Lap count, total time, fastest lap and consistency of a synced LiveRC run."""
    if not note.startswith(LIVERC_SYNC):
        return None
    body = note[len(LIVERC_SYNC):]
    run = re.search(r"(\d+)\s*Laps?\s*/\s*([\d:.]+)", body, re.IGNORECASE)
    fastest = re.search(r"Fastest\s+([\d:.]+)", body, re.IGNORECASE)
    consistency = re.search(r"Consistency\s+([\d.]+)\s*%", body, re.IGNORECASE)
    return LiveRcSync(int(run.group(1)) if run else None, seconds(run.group(2)) if run else None,
                      seconds(fastest.group(1)) if fastest else None,
                      Decimal(consistency.group(1)) if consistency else None)


def seconds(text: str) -> Decimal | None:
    """``31.842`` or ``6:05.2`` (minutes:seconds) -> seconds; None if neither.

    A leading minus is kept, so a negative lap time is reported as "must be > 0".
    """
    match = re.fullmatch(r"(-?)(?:(\d+):)?(\d+(?:\.\d+)?)", text.strip())
    if match is None:
        return None
    sign, minutes, secs = match.groups()
    value = Decimal(secs) + 60 * int(minutes or 0)
    return -value if sign else value
