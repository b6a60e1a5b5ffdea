"""Every note, a page at a time: the "All notes" pages of an event and of a car.

A page lists ``PAGE_SIZE`` notes, newest first; its "More" link names the last note
shown (``before``: its time, ``before_id``: its id), so the next page starts right
after it even when notes are written or deleted meanwhile (keyset paging: no note
twice, none skipped). Without JavaScript the link opens the next page; with HTMX it
swaps itself (``#notes-more``) for the next notes and a new "More", appended in place.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import abort, request, url_for
from flask.typing import ResponseReturnValue

from apex.htmx import render
from apex.models import TrackLog

PAGE_SIZE = 20
TEMPLATE = "race/notes.html"
BLOCKS = {"notes-more": "note_page"}  # HX-Target id -> block: the next notes alone

Cursor = tuple[datetime, str]


def cursor() -> Cursor | None:
    """The page's start from the query string (None: the newest); 400 when it is not
    one a "More" link gives (a mangled or hand-made URL)."""
    when, note_id = request.args.get("before"), request.args.get("before_id")
    if when is None and note_id is None:
        return None
    try:
        at = datetime.fromisoformat(when or "")
        uuid.UUID(note_id or "")
    except ValueError:
        abort(400)
    if at.tzinfo is None:  # every stored time is UTC-aware; a naive one cannot compare
        abort(400)
    return at, str(note_id)


def note_page(fetch: Callable[[Cursor | None, int], list[TrackLog] | None],
              **context: Any) -> ResponseReturnValue:
    """The page (or, for ``#notes-more``, the next notes alone) of the notes ``fetch``
    gives (None: not the racer's -> 404); one more is asked for to know if there is
    a next page."""
    found = fetch(cursor(), PAGE_SIZE + 1)
    if found is None:
        abort(404)
    logs = found[:PAGE_SIZE]
    more = None
    if len(found) > PAGE_SIZE:
        last = logs[-1]
        more = url_for(str(request.endpoint), **(request.view_args or {}),
                       before=last.timestamp.isoformat(), before_id=last.id)
    body, status = render(TEMPLATE, BLOCKS, logs=logs, more=more,
                          first=cursor() is None, **context)
    return body, status
