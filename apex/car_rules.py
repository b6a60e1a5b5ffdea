"""What archiving, restoring and deleting a car, and deleting an account, do: decided
once for both stores (a store locks, reads, asks one of these and writes the answer).

- Removing a car from the garage *archives* it: nothing of its history goes. An
  archived car leaves the garage's list and every picker; its events, analysis and
  notes stay readable. It starts no event and reopens none (restore it first).
- A car with an open event is not archived: the racer closes the event first, with
  its rating audit, so the verdicts of its changes are not lost to a silent close.
- Deleting for good is only for an archived car, and takes everything of it: its
  Shop Master, events with their setups, changes, runs, laps and audits, and its
  notes. A note of a deleted car would point at nothing and say nothing true of a
  car the racer still has, so it goes too (DESIGN.md: the notebook is per car and
  event); the racer is offered the export first.
- A car's notes: those written at one of its events, and those naming it (the label
  the stores write, ``car_label``); a note naming only "Brand Model" (the old app's
  label) is its note unless another car of the racer has that brand and model.
- The racer confirms deleting for good by typing the car's nickname, or "Brand
  Model" for a car without one, in any case.
- Deleting an account takes every row the racer owns. Library baselines they shared
  stay for the community but anonymised: no longer credited to anyone, and a driver
  name that is the racer's own (username or profile name) is blanked. Theory
  documents they uploaded stay, uncredited, as the foreign keys of sql/ say.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from apex.models import Car, car_label

Row = Mapping[str, Any]

OPEN_EVENT = ("This car has an event open: close it (with its rating) before removing "
              "the car from the garage.")
ARCHIVED = "This car is archived: restore it in the Garage first."
WRONG_NAME = "That is not the car's name: nothing was deleted."


class CarRefused(Exception):
    """A car write the rules refuse (``message`` says why, to the racer)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def archive_refusal(event_statuses: Iterable[str]) -> str | None:
    """Why a car with events in ``event_statuses`` cannot be archived (None: it can)."""
    return OPEN_EVENT if "active" in event_statuses else None


def confirm_name(car: Car) -> str:
    """What the racer types to delete ``car`` for good."""
    return car.nickname.strip() or f"{car.brand} {car.model}".strip()


def name_matches(car: Car, typed: str) -> bool:
    return " ".join(typed.split()).casefold() == " ".join(confirm_name(car).split()).casefold()


def car_notes(car: Row, cars: Iterable[Row], notes: Iterable[Row],
              event_ids: Collection[str]) -> list[str]:
    """The ids of the notes of ``car`` (rows with brand, model, nickname, id), among the
    racer's ``notes`` (id, car, event_id); ``cars`` are all the racer's cars and
    ``event_ids`` the car's events."""
    full = car_label(car["brand"], car["model"], car["nickname"]).casefold()
    short = car_label(car["brand"], car["model"]).casefold()
    short_is_its = not any(
        c["id"] != car["id"] and car_label(c["brand"], c["model"]).casefold() == short
        for c in cars)
    names = {full, short} if short_is_its else {full}
    return [str(n["id"]) for n in notes
            if n.get("event_id") in event_ids
            or (not n.get("event_id") and str(n.get("car") or "").casefold() in names)]


@dataclass(frozen=True)
class CarRemoval:
    """What deleting a car for good takes: counts, shown to the racer before."""

    events: int = 0
    runs: int = 0
    laps: int = 0
    changes: int = 0
    audits: int = 0
    notes: int = 0

    @property
    def items(self) -> list[tuple[str, int]]:
        return [("events", self.events), ("runs", self.runs), ("laps", self.laps),
                ("setup changes", self.changes), ("audits", self.audits),
                ("notes", self.notes)]


def anonymised(baseline: Row, own_names: Collection[str]) -> dict[str, Any]:
    """A shared library baseline of a deleted account, as it stays: uncredited, and its
    driver name blanked when it is one of the racer's ``own_names``."""
    names = {n.strip().casefold() for n in own_names if n.strip()}
    driver = str(baseline.get("driver_name") or "")
    return {**baseline, "submitted_by": None,
            "driver_name": "" if driver.strip().casefold() in names else driver}
