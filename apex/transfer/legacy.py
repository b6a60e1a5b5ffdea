"""The old Streamlit app's CSV export -> APEX rows, given to the account named by --owner.

Why it is built this way:
- The old app had one nameless profile (``default_user``); its profile, cars and
  logs become the owner's. Library baselines are shared and keep their data, but
  get a new id from the target (the old IDs would clash with existing ones).
- Old values are read the way racers wrote them (TUNING.md §1) by
  ``apex.transfer.values``: units (``450 cSt``), oils as ``7k`` or ``7,000``,
  pistons as diameter x holes (``1.2x4``), ``N/A`` as blank with a warning; then
  every parameter is checked with ``ParamField``, so out-of-range values are
  reported, never clamped.
- Log notes are kept whole; their ``SESSION_START:``/``DIGITAL_TWIN_UPDATE:``/
  ``LIVERC_SYNC:`` prefixes are parsed by ``apex.transfer.notes`` (later work
  turns them into events, changes and laps).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from apex.catalogue import NITRO, PARAM_KEYS, Value
from apex.models import EXPERIENCE_LEVELS, User
from apex.transfer import Row, RowError, Rows, readers
from apex.transfer.notes import note_kind, parse_session_start, seconds
from apex.transfer.readers import CsvFile, Record
from apex.transfer.values import BLANK_WORDS, read_param
from apex.transfer.values import legacy_param as legacy_param  # kept where callers import it
from apex.transfer.values import normalise_piston as normalise_piston
from apex.transfer.values import oil_text as oil_text

# file -> (required columns, other known columns); catalogue keys may be missing (None).
COLUMNS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "racer_profiles.csv": (("profile_id", "name"), (
        "email", "facebook", "instagram", "transponder", "sponsors", "experience_level",
        "driving_style")),
    "car_configs.csv": (("Car",), PARAM_KEYS),
    "master_library.csv": (("Track", "Brand", "Vehicle", "Condition", "Date", "Source"),
                           ("ID", "driver_name", *PARAM_KEYS)),
    "track_logs.csv": (("Date", "Event", "Notes", "Vehicle"), ("Lap_Time", "Keywords")),
}


def read_legacy(folder: Path, owner: User, errors: list[RowError],
                warnings: list[RowError] | None = None) -> Rows:
    """Rows of every old file present (a missing file gives no tables); errors collected,
    and warnings (a cell read as blank) when a list is given."""
    warned = [] if warnings is None else warnings
    builders: dict[str, Callable[[_Sink, User], Rows]] = {
        "racer_profiles.csv": _profile, "car_configs.csv": _cars,
        "master_library.csv": _library, "track_logs.csv": _logs,
    }
    rows: Rows = {}
    for name, build in builders.items():
        if not (folder / name).is_file():
            continue
        data = readers.read_csv(folder / name, errors)
        required, known = COLUMNS[name]
        if data.readable and readers.check_columns(data, {*required, *known}, required, errors):
            rows.update(build(_Sink(data, errors, warned), owner))
    return rows


@dataclass(frozen=True)
class _Sink:
    """A file being read and where its errors and warnings go."""

    data: CsvFile
    errors: list[RowError]
    warnings: list[RowError]

    @property
    def records(self) -> list[Record]:
        return self.data.records


class _Cells:
    """One record's trimmed cells; its errors go to the shared list, marked with the line."""

    def __init__(self, sink: _Sink, record: Record) -> None:
        self.file, self.record, self.failed = sink.data.name, record, False
        self.errors, self.warnings = sink.errors, sink.warnings

    def __getitem__(self, column: str) -> str:
        return self.record.cells.get(column, "").strip()

    def error(self, reason: str) -> None:
        self.errors.append(RowError(self.file, self.record.line, reason))
        self.failed = True

    def warn(self, reason: str) -> None:
        self.warnings.append(RowError(self.file, self.record.line, reason))

    def params(self) -> dict[str, Value]:
        values: dict[str, Value] = {}
        for key in PARAM_KEYS:
            try:
                cell = read_param(key, self[key])
            except ValueError as e:
                self.error(f"{key}: {e}")
                continue
            values[key] = cell.value
            if cell.warning:
                self.warn(f"{key}: {cell.warning}")
        return values


def _profile(data: _Sink, owner: User) -> Rows:
    """The one old profile becomes the owner's; a second one is an error, not dropped."""
    profiles: list[Row] = []
    sponsors: list[Row] = []
    for number, record in enumerate(data.records):
        c = _Cells(data, record)
        if number > 0:
            c.error(f"a second profile ({c['profile_id']!r}): the old app had one, and one "
                    "profile can be given to --owner")
            continue
        level = next((x for x in EXPERIENCE_LEVELS if x.lower() == c["experience_level"].lower()),
                     "" if not c["experience_level"] else None)
        if level is None:
            c.error(f"experience_level: {c['experience_level']!r} is not one of "
                    f"{', '.join(EXPERIENCE_LEVELS)}")
            continue
        profiles.append({"id": owner.racer_id, "user_id": owner.id, "name": c["name"],
                         **{k: c[k] for k in ("email", "facebook", "instagram", "transponder")},
                         "experience_level": level, "driving_style": c["driving_style"]})
        names: dict[str, str] = {}
        for name in (n.strip() for n in c["sponsors"].split(",")):
            names.setdefault(name.lower(), name)
        sponsors = [{"id": str(uuid.uuid4()), "profile_id": owner.racer_id, "name": n,
                     "category": ""} for n in names.values() if n]
    return {"racer_profiles": profiles, "sponsors": sponsors}


def _cars(data: _Sink, owner: User) -> Rows:
    """Each car: a vehicle (brand = first word, model = the rest) and its Shop Master."""
    vehicles: list[Row] = []
    configs: list[Row] = []
    seen: dict[str, int] = {}
    for record in data.records:
        c = _Cells(data, record)
        words = c["Car"].split()
        car = " ".join(words)
        if not words:
            c.error("Car: empty: name the car, e.g. Tekno NB48 2.2")
        elif car.lower() in seen:
            c.error(f"Car: {car} is already on line {seen[car.lower()]}")
        else:
            seen[car.lower()] = record.line
        params = c.params()
        if c.failed:
            continue
        vehicle_id = str(uuid.uuid4())
        vehicles.append({"id": vehicle_id, "profile_id": owner.racer_id, "brand": words[0],
                         "model": " ".join(words[1:]), "nickname": "", "transponder": "",
                         "class_name": "", "power": NITRO})  # the old app knew no electric
        configs.append({"id": str(uuid.uuid4()), "profile_id": owner.racer_id,
                        "vehicle_id": vehicle_id, "car": car, **params})
    return {"vehicles": vehicles, "car_configs": configs}


def _library(data: _Sink, owner: User) -> Rows:
    """Shared baselines; the target numbers them. One per track/brand/vehicle/condition/date."""
    rows: list[Row] = []
    seen: dict[tuple, int] = {}
    for record in data.records:
        c = _Cells(data, record)
        try:
            day: date | None = _date(c["Date"])
        except ValueError as e:
            c.error(f"Date: {e}")
            day = None
        key = (c["Track"], c["Brand"], c["Vehicle"], c["Condition"], day)
        if day is not None and key in seen:
            c.error(f"the same track, brand, vehicle, condition and date as line {seen[key]}")
        seen.setdefault(key, record.line)
        params = c.params()
        if not c.failed:
            rows.append({"id": None, "track": key[0], "brand": key[1], "vehicle": key[2],
                         "condition": key[3], "date": day, "source": c["Source"],
                         "driver_name": c["driver_name"], "submitted_by": owner.racer_id,
                         "notes": "", **params})
    return {"master_library": rows}


def _logs(data: _Sink, owner: User) -> Rows:
    """Track notes; every log of an Event gets the track its SESSION_START note names."""
    tracks: dict[str, str] = {}
    for record in data.records:
        start = parse_session_start(record.cells.get("Notes", "").strip())
        if start and start.track and record.cells.get("Event", "").strip():
            tracks.setdefault(record.cells["Event"].strip(), start.track)
    rows: list[Row] = []
    for record in data.records:
        c = _Cells(data, record)
        stamp, lap = None, None
        try:
            # The old app wrote local time without a zone; the racer's zone is unknown, so
            # it is taken as UTC (a fixed, documented choice; times compare consistently).
            stamp = _timestamp(c["Date"])
        except ValueError as e:
            c.error(f"Date: {e}")
        if c["Lap_Time"].casefold() in BLANK_WORDS:  # "N/A": no time, said so
            c.warn(f"Lap_Time: {c['Lap_Time']!r} read as not set")
        else:
            try:
                lap = _lap_time(c["Lap_Time"])
            except ValueError as e:
                c.error(f"Lap_Time: {e}")
        if c.failed:
            continue
        track = tracks.get(c["Event"]) if c["Event"] else None
        if track is None:
            start = parse_session_start(c["Notes"])
            track = start.track if start else ""
        rows.append({"id": str(uuid.uuid4()), "profile_id": owner.racer_id, "timestamp": stamp,
                     "track": track, "car": c["Vehicle"], "event": c["Event"], "note": c["Notes"],
                     "kind": note_kind(c["Notes"]), "keywords": normalise_keywords(c["Keywords"]),
                     "lap_time": lap, "created_at": stamp})
    return {"track_logs": rows}


# -- values as the old app's racers wrote them -----------------------------------------------

def normalise_keywords(text: str) -> str:
    """``Loose, Exit, Bottoming`` -> ``loose, exit, bottoming`` (empty and repeats dropped)."""
    words = (w.strip().lower() for w in text.split(","))
    return ", ".join(dict.fromkeys(w for w in words if w))


def _date(text: str) -> date:
    if not text:
        raise ValueError("empty: write the date as YYYY-MM-DD")
    try:
        return date.fromisoformat(text)
    except ValueError:
        try:
            return datetime.fromisoformat(text).date()
        except ValueError:
            raise ValueError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _timestamp(text: str) -> datetime:
    if not text:
        raise ValueError("empty: write it as YYYY-MM-DD HH:MM:SS")
    try:
        stamp = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a date and time (YYYY-MM-DD HH:MM:SS)") from None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def _lap_time(text: str) -> Decimal | None:
    if not text:
        return None
    value = seconds(text)
    if value is None:
        raise ValueError(f"{text!r} is not a time in seconds (e.g. 31.842 or 1:02.5)")
    problem = readers.lap_time_problem(value)
    if problem:
        raise ValueError(f"{text!r}: {problem}")
    return value
