"""What the advisor reads (``Situation``) and what it answers (``Advice``).

Plain frozen dataclasses so the rule engine stays a pure function: the Flask view
gathers the event, its setup, runs and changes from the store, and renders the
answer; nothing here touches either.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

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
    own_best_at_track: float | None = None  # the racer's best lap ever here (s)
    temperature_now: int | None = None  # °C now; event.temperature is the setup's
    insist: bool = False  # change anyway, though the last change is untested


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

    @property
    def text(self) -> str:
        """``DF 7000 → 6000 cSt``."""
        p = BY_KEY[self.param]
        return f"{self.param} {format_value(p, self.current)} → {with_unit(p, self.proposed)}"

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

    key: str  # confidence / tyres / untested / main / repeats / driving / temperature / bounds
    title: str  # "Confidence gate"
    message: str  # why, in plain words, with the numbers
    blocks: bool  # True when it stops all setup advice


@dataclass(frozen=True)
class Advice:
    proposals: list[Proposal]  # the symptom's (up to max_proposals), then temperature's
    guards: list[Guard]  # in TUNING §3 order
    notes: list[str]  # advice-only lines: fresh tyres first, springs, needles, ...

    @property
    def blocked(self) -> bool:
        return any(g.blocks for g in self.guards)
