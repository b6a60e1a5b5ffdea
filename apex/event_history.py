"""An event in a few figures, and what worked where: the Analysis tab's history.

Pure functions over ``EventRecord``s. An event's figures come from its best run
(lowest top-5 average, TUNING.md §5). "What worked here" (§5 "History") counts each
parameter's net move once per gap, by its lap verdict only (an audit is an opinion,
not a measurement): how often it was tried, how often it made the car faster or
slower, and its mean effect, in the racer's words ("Front diff oil thinner"). The
advisor's history guard (§3.6) reads the same figures.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from apex.catalogue import move_label
from apex.lap_stats import RunStats, best_run, event_run_stats
from apex.models import Car, EventRecord, Run
from apex.verdicts import EventVerdicts, Gap, judge_event, signed


@dataclass(frozen=True)
class EventSummary:
    record: EventRecord
    best: Run | None  # the event's best run
    best_stats: RunStats | None
    best_lap: float | None  # the fastest clean lap of any run
    verdicts: EventVerdicts

    @property
    def judged(self) -> list[tuple[str, str]]:
        """(outcome, short label) of each parameter moved and judged by laps, once each:
        the event's line in the history list ("✓ F diff oil thinner")."""
        return [(g.outcome, move_label(n.parameter, n.direction, short=True))
                for g in self.verdicts.gaps if g.outcome for n in g.net]


def summarise(record: EventRecord) -> EventSummary:
    stats = event_run_stats(record.runs)
    index = best_run(record.runs)
    best = None if index is None else record.runs[index]
    # The best lap is a clean one: a double transponder hit (4.2 s) is never BEST.
    laps = [s.best for s in stats if s is not None]
    return EventSummary(record, best, None if index is None else stats[index],
                        min(laps) if laps else None,
                        judge_event(record.runs, record.changes, record.audit, stats))


def same_place(summary: EventSummary, track: str, condition: str) -> bool:
    """The event ran at ``track`` (case-insensitive) in ``condition`` ("" = any)."""
    event = summary.record.event
    return (event.track.casefold() == track.casefold()
            and (not condition or event.condition.casefold() == condition.casefold()))


@dataclass
class Tried:
    """One parameter moved one way, over the events read: tries, results, mean effect."""

    parameter: str
    direction: int  # +1 up, −1 down, 0 a text value changed
    tries: int = 0  # every time it moved (judged or not)
    faster: int = 0  # lap verdict success
    slower: int = 0  # lap verdict failure
    bundled: int = 0  # tries made together with other changes
    effects: list[float] = field(default_factory=list)  # % of each judged try

    @property
    def label(self) -> str:
        return move_label(self.parameter, self.direction)

    @property
    def judged(self) -> int:
        return len(self.effects)

    @property
    def mean_effect(self) -> float | None:
        """Mean effect in % (negative = faster) over the judged tries."""
        return statistics.fmean(self.effects) if self.effects else None

    @property
    def mean_text(self) -> str:
        """"−0.40 %" ("" when never judged)."""
        return "" if self.mean_effect is None else f"{signed(self.mean_effect)} %"

    @property
    def leaning(self) -> str:
        """success when it made the car faster more often than slower, failure the other
        way, "" when even or never judged."""
        return ("success" if self.faster > self.slower
                else "failure" if self.slower > self.faster else "")

    @property
    def sentence(self) -> str:
        """"3 tries, 2 faster, 1 slower, −0.40 % on average"."""
        parts = [f"{self.tries} {'try' if self.tries == 1 else 'tries'}",
                 f"{self.faster} faster"]
        if self.slower:
            parts.append(f"{self.slower} slower")
        if self.mean_text:
            parts.append(f"{self.mean_text} on average")
        if self.bundled:
            parts.append(f"{self.bundled} with other changes")
        return ", ".join(parts)


Key = tuple[str, int]


def tried_here(summaries: Iterable[EventSummary]) -> dict[Key, Tried]:
    """(parameter, direction) -> its figures over ``summaries`` (one entry per move of
    a parameter between two runs: an undone change and its undo count as nothing)."""
    figures: dict[Key, Tried] = {}
    for summary in summaries:
        for gap in summary.verdicts.gaps:
            _count(figures, gap)
    return figures


def _count(figures: dict[Key, Tried], gap: Gap) -> None:
    for net in gap.net:
        entry = figures.setdefault((net.parameter, net.direction),
                                   Tried(net.parameter, net.direction))
        entry.tries += 1
        entry.bundled += len(gap.net) > 1
        if gap.outcome and gap.effect_pct is not None:
            entry.effects.append(gap.effect_pct)
            entry.faster += gap.outcome == "success"
            entry.slower += gap.outcome == "failure"


def ranked_tries(figures: dict[Key, Tried]) -> list[Tried]:
    """Most tried first, then the best mean effect, then by label."""
    return sorted(figures.values(), key=lambda t: (
        -t.tries, t.mean_effect if t.mean_effect is not None else 0.0, t.label))


@dataclass(frozen=True)
class PlaceHistory:
    """What worked at a track and condition: this car's figures, then its model's."""

    own: list[Tried]
    model: list[Tried]  # other cars of the same model, where this car has no figures


def place_history(summaries: Sequence[EventSummary], car: Car,
                  cars: Mapping[str, Car]) -> PlaceHistory:
    """``summaries`` at one place; ``car``'s figures first, then those of the other
    ``cars`` (id -> car) of the same brand and model, for the moves ``car`` never tried."""
    model = (car.brand.casefold(), car.model.casefold())

    def same_model(car_id: str) -> bool:
        other = cars.get(car_id)
        return other is not None and (other.brand.casefold(), other.model.casefold()) == model

    own = tried_here(s for s in summaries if s.record.event.car_id == car.id)
    others = tried_here(s for s in summaries if s.record.event.car_id != car.id
                        and same_model(s.record.event.car_id))
    return PlaceHistory(ranked_tries(own),
                        ranked_tries({k: v for k, v in others.items() if k not in own}))

