"""What the Setup Library and the notebook mean, shared by both stores so they agree.

- A *word* is a run of letters and digits: punctuation and underscores separate
  words ("J.Smith" is "j" and "smith", "1/8" is "1" and "8"). sql/0002 builds the
  PostgreSQL search column on the same rule.
- A search word matches when it starts a word of the track, brand, vehicle,
  driver name or condition; every word of the search must match.
- A library row's unique key is (track, brand, vehicle, condition, date), compared
  exactly, as the unique index of sql/0001_init.sql is written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from apex.models import LIBRARY_FIELDS, LibraryQuery
from apex.store import DuplicateError

WORD = re.compile(r"[^\W_]+")
SEARCHED = ("track", "brand", "vehicle", "driver_name", "condition")
KEY_FIELDS = ("track", "brand", "vehicle", "condition", "date")
TEXT_FIELDS = tuple(f for f in LIBRARY_FIELDS if f != "date")
TRACK_LOG_KINDS = ("note", "symptom", "change", "system")
MAX_ID = 2**31 - 1  # master_library.id is a PostgreSQL integer
EVENT_OPEN = "This car has an event open already: close it before starting another."
TAKEN = "A baseline for this track, car, condition and date is already in the library."


def words(text: str) -> list[str]:
    """The words of ``text``, as typed (each store lowercases them its own way)."""
    return WORD.findall(text or "")


def library_id(value: object) -> int | None:
    """A library id from a caller or URL (int or digits); None when it cannot be one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value)
    if isinstance(value, int) and 1 <= value <= MAX_ID:
        return value
    return None


def as_date(value: object) -> date:
    """A row's date: a ``date`` (a datetime's day) or ISO text; ValueError otherwise."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return date.fromisoformat(value.strip())
    raise ValueError(f"not a date: {value!r}")


def fields(data: Mapping[str, Any], *, keep_missing: bool = False) -> dict[str, Any]:
    """The library fields of ``data``: text ('' for None) and the date.

    Missing fields are left out when updating (they keep their value), '' (and a
    missing date is an error) when adding.
    """
    out: dict[str, Any] = {}
    for name in LIBRARY_FIELDS:
        if name not in data:
            if keep_missing:
                continue
            if name == "date":
                raise ValueError("a library baseline needs a date")
        value = data.get(name)
        out[name] = as_date(value) if name == "date" else str(value or "")
    return out


def row_key(row: Mapping[str, Any]) -> tuple:
    return tuple(row[f] for f in KEY_FIELDS)


def check_batch(keys: Iterable[tuple]) -> None:
    """DuplicateError when one key comes twice in the rows being added."""
    seen: set[tuple] = set()
    for key in keys:
        if key in seen:
            raise DuplicateError("track", TAKEN)
        seen.add(key)


def clamped(query: LibraryQuery) -> tuple[int, int]:
    """The page (from 1) and rows per page (at least 1) of a query."""
    return max(1, int(query.page or 1)), max(1, int(query.per_page or 1))


def check_kind(kind: str) -> None:
    if kind not in TRACK_LOG_KINDS:
        raise ValueError(f"track log kind must be one of {', '.join(TRACK_LOG_KINDS)}")


def facet(values: Iterable[str]) -> list[str]:
    """Distinct non-empty values, sorted case-insensitively (ties by exact text)."""
    return sorted({v for v in values if v}, key=lambda v: (v.lower(), v))
