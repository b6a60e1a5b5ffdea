"""The event list and the Analysis history, a page of events at a time.

A page shows ``PAGE_SIZE`` events, newest first; its "More" link names the last one
(``?before=<cursor>``, apex.paging), with the page's other arguments (the history's
track and condition), so the next page starts right after it. Without JavaScript the
link opens the next page; with HTMX it swaps itself for the next events and a new
"More", appended in place (the same pattern as apex.note_pages).

20 a page: about three phone screens of event lines, and 2–3 KB compressed on the wire
at any season size (the goal is 6 KB; ``scripts/bench_season.py`` prints it).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from flask import request, url_for
from werkzeug.exceptions import BadRequest

from apex.paging import EventCursor

PAGE_SIZE = 20

T = TypeVar("T")


class BadCursor(BadRequest):
    """A ``before`` that no "More" link gives (mangled, hand-made, cut short); the
    event analysis' run pages say it too."""

    description = ("That page link is broken. Open the page again from the top "
                   "to see the newest first.")
    public = True  # apex.errors says this description, not the generic 400 words


def before() -> EventCursor | None:
    """The page's start from ``?before=`` (None: the newest); BadCursor if it is not
    one a "More" link gives."""
    text = request.args.get("before", "").strip()
    if not text:
        return None
    try:
        return EventCursor.parse(text)
    except ValueError:
        raise BadCursor() from None


def split(found: Sequence[T]) -> tuple[list[T], bool]:
    """The page (``PAGE_SIZE + 1`` were asked for) and whether there is a next one."""
    return list(found[:PAGE_SIZE]), len(found) > PAGE_SIZE


def more_url(last: EventCursor, **args: str) -> str:
    """The link to the page after the one that ends with ``last``, keeping ``args``
    that are set (the history's filter)."""
    values: dict[str, Any] = {**(request.view_args or {}),
                              **{k: v for k, v in args.items() if v}, "before": last.text}
    return url_for(str(request.endpoint), **values)
