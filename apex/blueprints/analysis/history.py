"""Past events by track and condition, and the changes that worked (or not) there."""

from __future__ import annotations

from flask import request
from flask.typing import ResponseReturnValue

from apex.auth_setup import current_racer_id
from apex.blueprints.analysis.blueprint import bp
from apex.db import get_store
from apex.event_history import EventSummary, same_place, summarise, what_worked
from apex.htmx import render
from apex.models import CONDITIONS

PAGE = "analysis/index.html"
BLOCKS = {"history": "history"}


@bp.get("/")
def show_history() -> ResponseReturnValue:
    """Every event, newest first, grouped by track and condition; with a track (and a
    condition) chosen, what worked there."""
    summaries = [summarise(r) for r in get_store().event_history(current_racer_id())]
    track = request.args.get("track", "").strip()
    condition = request.args.get("condition", "").strip()
    shown = [s for s in summaries if not track or same_place(s, track, condition)]
    worked, failed = what_worked(shown) if track else ([], [])
    return render(PAGE, BLOCKS, groups=_groups(shown), tracks=_tracks(summaries),
                  conditions=CONDITIONS, track=track, condition=condition, worked=worked,
                  failed=failed, active=[s for s in summaries if s.record.event.is_active])


def _tracks(summaries: list[EventSummary]) -> list[str]:
    """Each track once (as first written), in name order."""
    seen: dict[str, str] = {}
    for s in summaries:
        seen.setdefault(s.record.event.track.casefold(), s.record.event.track)
    return sorted(seen.values(), key=str.casefold)


def _groups(summaries: list[EventSummary]) -> list[tuple[str, str, list[EventSummary]]]:
    """(track, condition, events) in the order each place was last raced at."""
    groups: dict[tuple[str, str], list[EventSummary]] = {}
    for s in summaries:
        event = s.record.event
        groups.setdefault((event.track.casefold(), event.condition.casefold()), []).append(s)
    return [(g[0].record.event.track, g[0].record.event.condition, g) for g in groups.values()]
