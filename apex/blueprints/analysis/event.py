"""One event after the day: run statistics, charts, change impact, the closing audit,
the race report and the CSV exports."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Response, abort, flash, request, url_for
from flask.typing import ResponseReturnValue
from marshmallow import ValidationError

from apex import charts
from apex.auth_setup import current_racer_id
from apex.blueprints.analysis.blueprint import bp
from apex.blueprints.event.blueprint import own_event
from apex.car_rules import ARCHIVED
from apex.catalogue import move_label
from apex.db import get_store
from apex.event_csv import changes_csv, laps_csv
from apex.event_history import EventSummary, summarise
from apex.event_pages import BadCursor
from apex.htmx import render, see_other, target_block
from apex.lap_stats import RunStats
from apex.models import AUDIT_GAINS, AUDIT_SYMPTOMS, CHANGE_SOURCE_WORDS, Event, EventRecord, Run
from apex.race_report import change_text, race_report
from apex.schemas import form_dict
from apex.schemas.analysis import AuditSchema
from apex.store import DuplicateError

PAGE = "analysis/show.html"
# HX-Target id -> block: the audit form after a refused close; "More runs" the older runs.
BLOCKS = {"audit": "audit", "runs-more": "run_page"}
# The runs' statistics and lap charts, newest first, this many at a time: each run is
# about 0.5 KB compressed (its lap chart most of it), so 5 keep the page near 6 KB.
RUN_PAGE = 5


@bp.get("/<event_id>")
def show_event(event_id: str) -> ResponseReturnValue:
    return render(PAGE, BLOCKS, **_context(own_event(event_id)))


@bp.post("/<event_id>/close")
def close_event(event_id: str) -> ResponseReturnValue:
    """Close with the audit: the racer's opinion, shown beside the lap verdicts."""
    event = own_event(event_id)
    if not event.is_active:
        flash("This event is closed already.")
        return see_other("analysis.show_event", event_id=event.id)
    values = form_dict(request.form)
    try:
        data = AuditSchema().load(values)
    except ValidationError as err:
        return render(PAGE, BLOCKS, 422, **_context(event, values=values, errors=err.messages))
    end = data.pop("end_date") or max(date.today(), event.start_date)
    closed = get_store().close_event(current_racer_id(), event.id, end, data)
    if closed is None:
        abort(404)
    flash(f"Closed {event.name}: rated {data['rating']}/5.")
    return see_other("analysis.show_event", event_id=event.id)


@bp.post("/<event_id>/reopen")
def reopen_event(event_id: str) -> ResponseReturnValue:
    event = own_event(event_id)
    try:
        get_store().reopen_event(current_racer_id(), event.id)
    except DuplicateError as err:  # another event open, or the car archived (apex.car_rules)
        flash(err.message if err.message == ARCHIVED
              else "This car has another event open: close that one first.")
        return see_other("analysis.show_event", event_id=event.id)
    flash(f"{event.name} is open again.")
    return see_other("event.show_event", event_id=event.id)


@bp.get("/<event_id>/report")
def show_report(event_id: str) -> ResponseReturnValue:
    """The race report to copy (a page) or, with ``?download=1``, a Markdown file."""
    record = _record(own_event(event_id))
    text = race_report(record.event, _car_label(record.event), record.runs, record.changes,
                       record.audit)
    if request.args.get("download"):
        return _download(text, f"{_slug(record.event)}-report.md", "text/markdown")
    return render("analysis/report.html", {}, event=record.event, text=text)


@bp.get("/<event_id>/laps.csv")
def export_laps(event_id: str) -> Response:
    record = _record(own_event(event_id))
    return _download(laps_csv(record.event, record.runs), f"{_slug(record.event)}-laps.csv",
                     "text/csv")


@bp.get("/<event_id>/changes.csv")
def export_changes(event_id: str) -> Response:
    record = _record(own_event(event_id))
    return _download(changes_csv(record.event, record.changes, record.runs, record.audit),
                     f"{_slug(record.event)}-changes.csv", "text/csv")


def _record(event: Event) -> EventRecord:
    racer_id = current_racer_id()
    store = get_store()
    return EventRecord(event, store.list_runs(racer_id, event.id),
                       store.list_changes(racer_id, event.id), store.get_audit(racer_id, event.id))


def _car_label(event: Event) -> str:
    car = get_store().get_car(current_racer_id(), event.car_id)
    return car.label if car else ""


def _context(event: Event, **overrides: Any) -> dict[str, Any]:
    """The page's context; the audit form alone (a 422 close) needs no runs or charts."""
    form = {"event": event, "symptoms": AUDIT_SYMPTOMS, "gains": AUDIT_GAINS,
            "values": {}, "errors": {},
            "today": max(date.today(), event.start_date).isoformat()}
    if target_block(BLOCKS) == "audit":
        audit = get_store().get_audit(current_racer_id(), event.id)
        return {**form, "record": EventRecord(event, [], [], audit), **overrides}
    return {**form, **_page_context(event), **overrides}


def _page_context(event: Event) -> dict[str, Any]:
    record = _record(event)
    # Stored with every lap write (apex.figures): the laps are read for the charts only.
    figures = get_store().run_figures(current_racer_id(), event.id)
    stats = [figures.get(r.id) for r in record.runs]
    summary = summarise(record, stats)
    runs = list(zip(record.runs, stats, strict=True))
    shown, more = _run_page(runs)
    page = {"summary": summary, "run_page": shown, "runs_more": more,
            "lap_charts": {run.id: charts.lap_chart(
                run.name, run.seconds,
                crash=[f != "clean" for f in s.flags] if s else [True] * len(run.laps))
                for run, s in shown if run.laps}}
    if target_block(BLOCKS) == "run_page":
        return page
    # A run under 5 clean laps shows its own laps but takes part in no comparison
    # (TUNING §5): its slot and name stay in the run-by-run charts, without a point.
    compared = [(run, s if s is not None and s.comparable else None) for run, s in runs]
    medians = [(run.name, s.median if s else None) for run, s in compared]
    return {
        **page, "car_label": _car_label(event), "record": record,
        "runs": runs, "change_words": change_text,
        "sources": CHANGE_SOURCE_WORDS, "first_runs": not request.args.get("before"),
        "runs_chart": charts.runs_chart([(run.name, s.best if s else None,
                                          s.median if s else None) for run, s in compared]),
        "timeline_chart": charts.timeline_chart(medians, _timeline(record, summary)),
    }


def _run_page(runs: list[tuple[Run, RunStats | None]]
              ) -> tuple[list[tuple[Run, RunStats | None]], str | None]:
    """``RUN_PAGE`` runs, newest first, after the run named by ``?before=`` (the last of
    the page before: a run, not an offset, so a run added meanwhile moves nothing), and
    the link to the next page (None on the last). BadCursor for a run not of this event."""
    newest = runs[::-1]
    start = 0
    if before := request.args.get("before", "").strip():
        start = next((i + 1 for i, (run, _) in enumerate(newest) if run.id == before), -1)
        if start < 0:
            raise BadCursor()
    shown = newest[start:start + RUN_PAGE]
    more = None
    if start + RUN_PAGE < len(newest):
        more = url_for("analysis.show_event", **(request.view_args or {}),
                       before=shown[-1][0].id)
    return shown, more


def _timeline(record: EventRecord, summary: EventSummary) -> list[tuple[int, str]]:
    """Each parameter's net move between two runs, at the gap it was made in: after the
    latest run started before it (-1: before the first run). An undone change nets out
    with its undo and shows nothing."""
    index = {run.id: i for i, run in enumerate(record.runs)}
    return [(max(index.get(c.run_before or "", -1) for c in net.changes),
             move_label(net.parameter, net.direction, short=True))
            for gap in (summary.verdicts.gaps if summary.verdicts else []) for net in gap.net]


def _download(text: str, filename: str, mimetype: str) -> Response:
    response = Response(text, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _slug(event: Event) -> str:
    """A file name from the event: ``2026-11-21-winter-cup``."""
    words = "".join(c if c.isascii() and c.isalnum() else " " for c in event.name.lower())
    return "-".join([event.start_date.isoformat(), *words.split()])[:60] or "event"
