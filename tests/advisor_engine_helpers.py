"""The Setup Advisor engine tests' situation: a car, an event, runs and changes, no store.

The car is a Tekno NB48 2.2 on its preset setup unless a test says otherwise:
DF 7000, DC 7000, DR 5000 cSt; SO_F 450, SO_R 400 cSt; SB_F 2.3, SB_R 2.5 mm;
P_F 4x1.2, P_R 4x1.7; Toe_R 3.0°; RH_F 27.0, RH_R 28.0 mm; C_F -2.0, C_R -3.0°;
ST_F 105.0, ST_R 122.0 mm. The event is a Practice on a Dry, Smooth, Medium-traction
track at 20 °C with no runs yet, so no guard acts unless a test makes one.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from apex.advisor import Situation
from apex.advisor.advice import PastTries
from apex.event_history import Tried
from apex.models import Event, Lap, Run, SetupChange
from tests.conftest import NB48

START = datetime(2026, 5, 2, 9, tzinfo=UTC)


def event(**fields) -> Event:
    data = {"type": "Practice", "surface": "Dry", "condition": "Smooth", "traction": "Medium",
            "temperature": 20, **fields}
    return Event("e1", "r1", "c1", "Spring Cup", start_date=date(2026, 5, 2), **data)


def run(n: int, confidence: int | None = None, laps: tuple[str, ...] = ()) -> Run:
    return Run(f"r{n}", "e1", f"Q{n}", START + timedelta(minutes=30 * n), 1, confidence,
               tuple(Lap(f"r{n}", i, Decimal(s)) for i, s in enumerate(laps, 1)))


def change(param: str, old: str, new: str, status: str = "accepted", run_after: str | None = "r9",
           event_id: str = "e1", version: int | None = None,
           run_before: str | None = None) -> SetupChange:
    if version is None and status in ("accepted", "reverted"):
        version = 2
    return SetupChange(f"x-{param}-{old}-{new}", event_id, param, old, new, "manual",
                       status=status, run_after=run_after, version=version,
                       run_before=run_before)


def past(param: str, direction: int, *, faster: int = 0, slower: int = 0, tries: int = 0,
         effects: tuple[float, ...] = (), whose: str = "this car"
         ) -> dict[tuple[str, int], PastTries]:
    """History figures for one move at this place (apex.event_history.Tried)."""
    tried = Tried(param, direction, tries or faster + slower, faster, slower,
                  effects=list(effects))
    return {(param, direction): PastTries(tried, whose)}


def situation(symptom: str, values=None, **fields) -> Situation:
    data = {"event": event(), "runs": (), "changes": (), **fields}
    return Situation(symptom, {**NB48, **(values or {})}, **data)


def texts(advice) -> list[str]:
    return [p.text for p in advice.proposals]


def guard_keys(advice) -> list[str]:
    return [g.key for g in advice.guards]


def the_guard(advice, key):
    [found] = [g for g in advice.guards if g.key == key]
    return found

