"""What the advisor reads (``Situation``) and what it answers (``Advice``).

Plain frozen dataclasses so the rule engine stays a pure function: the Flask view
gathers the event, its setup, runs and changes from the store, and renders the
answer; nothing here touches either.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from apex.catalogue import BY_KEY, Value, format_value, with_unit
from apex.compare import delta_text
from apex.event_history import Tried
from apex.models import Event, Run, SetupChange


@dataclass(frozen=True)
class PastTries:
    """A move's figures at this place, and whose car they come from."""

    tried: Tried
    whose: str  # "this car" / "other NB48 cars"


@dataclass(frozen=True)
class Situation:
    """Everything the advisor weighs for one symptom at one event."""

    symptom: str  # an apex.symptoms key
    values: Mapping[str, Value]  # the event setup now (catalogue key -> value)
    event: Event
    runs: Sequence[Run]  # this event's runs, oldest first
    changes: Sequence[SetupChange]  # this event's changes, any status
    # What worked at this track and condition at other events (TUNING §5 "History"):
    # (parameter, direction) -> its figures and whose they are ("this car", "other NB48s").
    history: Mapping[tuple[str, int], PastTries] = field(default_factory=dict)
    # This car's best top-5 average at this track at earlier events (s): §3.7.
    own_best_at_track: float | None = None
    temperature_now: int | None = None  # °C now
    insist: bool = False  # change anyway, though the last change is untested
    # §3.8: the track temperature the setup's shock oils are set for (None: the
    # event's temperature, as for a setup saved before it was remembered).
    temperature_ref: int | None = None
    # §3.2: when a fresh set of the same tyres went on (None: never at this event).
    tyres_since: datetime | None = None

    @property
    def reference_temperature(self) -> int | None:
        return self.event.temperature if self.temperature_ref is None else self.temperature_ref


@dataclass(frozen=True)
class Proposal:
    """A concrete change: a value in bounds and on the catalogue's step."""

    param: str
    current: Value
    proposed: Value
    why: str
    speed: str  # quick / medium / slow
    feel: str  # softer / stiffer / ""
    history: str = ""  # "Worked for this car here before (Winter Cup)."
    # §3.10: the other end of a front/rear pair, changed in the same proposal.
    partner: Proposal | None = None
    # §3.8: accepting it sets the setup's temperature reference to this (°C).
    temperature_ref: int | None = None

    @property
    def parts(self) -> tuple[Proposal, ...]:
        return (self,) if self.partner is None else (self, self.partner)

    @property
    def text(self) -> str:
        """``DF 7000 → 6000 cSt``; a pair ``SO_F 450 → 500 cSt + SO_R 400 → 450 cSt``."""
        return " + ".join(f"{p.param} {p._values}" for p in self.parts)

    @property
    def shown(self) -> str:
        """What the racer reads: ``Front shock oil 450 → 500 cSt`` (labels, not codes)."""
        return " + ".join(f"{p.label} {p._values}" for p in self.parts)

    @property
    def _values(self) -> str:
        p = BY_KEY[self.param]
        return f"{format_value(p, self.current) or 'unset'} → {with_unit(p, self.proposed)}"

    @property
    def delta(self) -> str:
        """``−1000 cSt`` (the real minus sign); "" for a piston."""
        return delta_text(self.param, self.current, self.proposed)

    @property
    def label(self) -> str:
        return BY_KEY[self.param].label


@dataclass(frozen=True)
class Guard:
    """A TUNING §3 guard that stopped, limited or warned."""

    key: str  # a key of apex.advisor.guards.TITLES (TUNING §3 1-10, in that order)
    title: str  # "Confidence gate"
    message: str  # why, in plain words, with the numbers
    blocks: bool  # True when it stops all setup advice


@dataclass(frozen=True)
class Advice:
    proposals: list[Proposal]  # the symptom's, then temperature's: max_proposals in all
    guards: list[Guard]  # in TUNING §3 order
    notes: list[str]  # advice-only lines: fresh tyres first, springs, needles, ...

    @property
    def blocked(self) -> bool:
        return any(g.blocks for g in self.guards)
