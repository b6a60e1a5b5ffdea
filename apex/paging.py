"""Events a page at a time, newest first: the keyset cursor both stores page by.

Events are ordered newest first by (start date, created, id), every part descending,
so one row comparison says "older than the last one shown". A "More" link names that
last event's position (``?before=<cursor>``), not an offset: an event started or
deleted meanwhile never shows one twice or skips one. The cursor carries the values
themselves (not only the id), so it still works when its event was deleted since.

The event list and the Analysis history page by it; ``page_of`` is the CSV store's
rule, the PostgreSQL store says the same in SQL (``apex.stores.postgres_events``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TypeVar

from apex.models import Event

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_UUID = r"[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}"
_CURSOR = re.compile(rf"(\d{{4}}-\d{{2}}-\d{{2}})_(\d{{1,17}})_({_UUID})")


@dataclass(frozen=True, order=True)
class EventCursor:
    """An event's place in the newest-first order (compare as the order goes: a
    greater cursor is newer)."""

    start_date: date
    created_at: datetime
    id: str

    @classmethod
    def of(cls, event: Event) -> EventCursor:
        return cls(event.start_date, event.created_at or EPOCH, event.id)

    @property
    def text(self) -> str:
        """"2026-11-21_1763720000123456_<uuid>": date, microseconds since 1970, id
        (nothing a URL has to escape)."""
        micros = (self.created_at - EPOCH) // timedelta(microseconds=1)
        return f"{self.start_date.isoformat()}_{micros}_{self.id}"

    @classmethod
    def parse(cls, text: str) -> EventCursor:
        """The cursor a "More" link gave; ValueError for anything else."""
        match = _CURSOR.fullmatch(text)
        if match is None:
            raise ValueError(f"not an event cursor: {text[:80]!r}")
        try:
            at = EPOCH + timedelta(microseconds=int(match[2]))
        except OverflowError:
            raise ValueError(f"not an event cursor: {text[:80]!r}") from None
        return cls(date.fromisoformat(match[1]), at, match[3])


T = TypeVar("T")


def page_of(items: Sequence[T], key: Callable[[T], EventCursor],
            before: EventCursor | None, limit: int | None) -> list[T]:
    """Up to ``limit`` (None: all) of ``items`` older than ``before``, newest first."""
    ordered = sorted(items, key=key, reverse=True)
    if before is not None:
        ordered = [i for i in ordered if key(i) < before]
    return ordered if limit is None else ordered[:limit]


def at_place(event: Event, track: str = "", condition: str = "") -> bool:
    """At ``track`` and in ``condition`` ("" = any), ignoring case: what the history's
    filter keeps (PostgreSQL compares lower() the same way)."""
    return ((not track or event.track.lower() == track.lower())
            and (not condition or event.condition.lower() == condition.lower()))


def newest_track_names(events: Sequence[Event]) -> list[str]:
    """Each track once (as last written), in name order: the history's track filter."""
    seen: dict[str, str] = {}
    for event in page_of(events, EventCursor.of, None, None):
        seen.setdefault(event.track.lower(), event.track)
    return sorted((t for t in seen.values() if t), key=str.casefold)
