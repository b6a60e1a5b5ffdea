"""Laps into a run: the paste box and an uploaded lap file, both through apex.lap_reader.

A plain list of times saves at once. A table the reader had to interpret (columns chosen,
lap numbers dropped, decimal commas) shows a preview first, and a table of several
drivers asks whose laps first; the answers post the *text* again (with the driver and
"confirm"), which is re-read here: posted numbers are never saved as they come.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import abort, request
from flask.typing import ResponseReturnValue

from apex.auth_setup import current_racer_id
from apex.blueprints.race.blueprint import bp
from apex.blueprints.race.runs import posted_to_run
from apex.blueprints.race.views import answer, done, race_context, replay
from apex.db import get_store
from apex.lap_input import EMPTY, format_lap
from apex.lap_reader import UPLOAD_MAX, LapReading, decode_upload, read_laps
from apex.lap_stats import REFERENCE_MIN_LAPS, day_references, lap_flags, run_stats
from apex.models import Event, Run
from apex.schemas.race import LAPS_TEXT_MAX, LapFileSchema, LapsSchema
from apex.write_once import not_written, once

NO_LAPS = "No lap time in that text: use 31.842 or 1:02.417, one or more."
NO_FILE = "Choose a lap file (CSV or TXT) first."
TOO_LONG_TO_CHOOSE = ("That file holds several drivers and is too long to choose from here: "
                      "export only your laps, or paste your column.")


def preview_figures(reading: LapReading, first_lap: int = 1,
                    reference: Decimal | None = None) -> dict[str, Any]:
    """What the racer checks before saving: "14 laps · best 40.209 · median 40.52 ·
    1 incident (lap 3, 1:05.114) · 1 short (lap 9, 4.215)", flagged by the same §5 rules
    the saved run will be (``reference``: the day's pace, for fewer than 5 laps; laps
    numbered from ``first_lap``, where they will land in the run)."""
    flags = lap_flags(reading.laps, reference=reference)
    stats = run_stats(reading.laps, reference=reference)
    assert stats is not None  # a ready reading has laps, and its median laps are clean
    return {
        "count": len(reading.laps), "best": stats.best, "median": stats.median,
        "flags": [flag_summary(kind, [(first_lap + i, lap) for i, (lap, f)
                                      in enumerate(zip(reading.laps, flags, strict=True))
                                      if f == kind])
                  for kind in ("incident", "short") if kind in flags],
        "notes": reading.notes, "driver": reading.driver,
    }


def _preview(event: Event, run: Run, reading: LapReading) -> dict[str, Any]:
    """The preview of ``reading`` as laps after the run's own (the day's pace for a
    short paste, as the saved run will be flagged)."""
    reference = None
    if len(reading.laps) < REFERENCE_MIN_LAPS:
        runs = get_store().list_runs(current_racer_id(), event.id)
        reference = day_references(runs).get(run.started_at.date())
    return preview_figures(reading, len(run.laps) + 1, reference)


def flag_summary(kind: str, laps: list[tuple[int, Decimal]]) -> str:
    """``1 incident (lap 3, 1:05.114)``; several laps: ``2 short (lap 4, 12.000; lap 9, …)``."""
    where = "; ".join(f"lap {n}, {format_lap(lap)}" for n, lap in laps)
    return f"{len(laps)} {kind} ({where})"


# A resend of saved laps (the outbox's replay, a retry after a lost answer).
_REPLAY_LAPS = replay("runs", "Already saved.", "run_notice", url={"laps": "open"})


@bp.post("/<event_id>/runs/<run_id>/laps")
@once(_REPLAY_LAPS)
def add_laps(event_id: str, run_id: str) -> ResponseReturnValue:
    values = {key: request.form.get(key, "") for key in ("laps", "request_key", "driver")}
    event, run, data = posted_to_run(event_id, run_id, LapsSchema, "lap_errors",
                                     lap_values=values)
    # The raw text, not the trimmed one: line numbers must match the box the racer sees.
    text = request.form.get("laps", "").replace("\x00", "")
    if data["edit"]:
        not_written()
        return answer(race_context(event, run.id, lap_values=values))
    return _take(event, run, text, data, values)


@bp.post("/<event_id>/runs/<run_id>/laps/file")
@once(_REPLAY_LAPS)
def upload_laps(event_id: str, run_id: str) -> ResponseReturnValue:
    """A lap counter's or timing system's export (CSV/TXT, ≤ 1 MB), read like a paste."""
    values = {"request_key": request.form.get("request_key", "")}
    event, run, data = posted_to_run(event_id, run_id, LapFileSchema, "lap_errors",
                                     lap_values=values)
    upload = request.files.get("lapfile")
    if upload is None or not upload.filename:
        return _file_error(event, run, values, NO_FILE)
    try:
        text = decode_upload(upload.stream.read(UPLOAD_MAX + 1))
    except ValueError as exc:
        return _file_error(event, run, values, str(exc))
    data = {**data, "driver": None, "confirm": False}
    return _take(event, run, text, data, values, from_file=True)


def _file_error(event: Event, run: Run, values: dict[str, str],
                message: str) -> ResponseReturnValue:
    return answer(race_context(event, run.id, lap_values=values,
                               lap_errors={"lapfile": [message]}), 422)


def _take(event: Event, run: Run, text: str, data: dict[str, Any], values: dict[str, str],
          from_file: bool = False) -> ResponseReturnValue:
    """Read ``text``; refuse, ask whose laps, preview, or save (the one place for both)."""
    reading = read_laps(text, data["driver"])
    # The text travels on in the driver question and the preview; a file too long for
    # the box travels as the laps read from it (re-read as a plain list on Save).
    carried = text if len(text) <= LAPS_TEXT_MAX else None
    values = {**values, "laps": carried if carried is not None else ""}
    if reading.refusals:
        if all(e.message == EMPTY for e in reading.refusals):
            errors = {"lapfile" if from_file else "laps": [NO_LAPS]}
            return answer(race_context(event, run.id, lap_values=values, lap_errors=errors),
                          422)
        return answer(race_context(event, run.id, lap_values=values,
                                   line_errors=reading.refusals,
                                   line_source="file" if from_file else "paste"), 422)
    if reading.needs_driver:
        if carried is None:
            return _file_error(event, run, values, TOO_LONG_TO_CHOOSE)
        not_written()  # a question: the answer comes back with the same key
        return answer(race_context(event, run.id, lap_values=values,
                                   lap_drivers=reading.drivers))
    if (reading.interpreted or from_file) and not data["confirm"]:
        if carried is None:
            values["laps"] = "\n".join(format_lap(s) for s in reading.laps)
        values["driver"] = reading.driver or ""
        not_written()  # a preview: Save comes back with the same key
        return answer(race_context(event, run.id, lap_values=values,
                                   lap_preview=_preview(event, run, reading)))
    stored = get_store().add_laps(current_racer_id(), run.id, reading.laps)  # key: write_once
    if stored is None:
        abort(404)
    added = len(stored.laps) - len(run.laps)
    message = f"Added {added} lap{'s' if added != 1 else ''} to {run.name}." if added > 0 \
        else "Already saved."
    return done(event, message, "runs", run_id=run.id, run_notice=message,
                url={"laps": "open"})
