"""An event in a few figures, and what worked where: the Analysis tab's history.

Pure functions over ``EventRecord``s. An event's figures come from its best run
(lowest top-5 average, TUNING.md §5). "What worked here" (§5 "History") counts each
parameter's net move once per gap, by its lap verdict only (an audit is an opinion,
not a measurement): how often it was tried, how often it made the car faster or
slower, and its mean effect, in the racer's words ("Front diff oil thinner"). The
advisor's history guard (§3.6) reads the same figures.

The pages read them from the stores' stored figures (apex.figures), never every lap:
``stored_summaries`` makes the history list's lines of ``Store.history_figures``, and
``stored_place_history`` what worked at a place of ``Store.tried_at``'s aggregate.
``summarise``, ``tried_here`` and ``place_history`` are the same rules from the laps
(one event's analysis; the tests check the stored ones against them).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from apex.catalogue import move_label
from apex.figures import HistoryFigures, TriedRow, best_of
from apex.lap_stats import RunStats, best_run, event_run_stats
from apex.models import Car, EventRecord, Run
from apex.verdicts import EventVerdicts, Gap, judge_event, signed


@dataclass(frozen=True)
class EventSummary:
    record: EventRecord  # from stored figures (the history list): no runs nor changes
    best: Run | None  # the event's best run (None from stored figures)
    best_stats: RunStats | None
    best_lap: float | None  # the fastest clean lap of any run
    verdicts: EventVerdicts | None  # None from stored figures
    # (outcome, short label) of each parameter moved and judged by laps, once each:
    # the event's line in the history list ("✓ F diff oil thinner").
    judged: list[tuple[str, str]]


def summarise(record: EventRecord, stats: Sequence[RunStats | None] | None = None
              ) -> EventSummary:
    """The event's summary from its laps (``stats``: its runs' stored figures, in order,
    when read already: then no lap is worked over again)."""
    stats = list(stats) if stats is not None else event_run_stats(record.runs)
    index = best_run(record.runs, stats)
    best = None if index is None else record.runs[index]
    # The best lap is a clean one: a double transponder hit (4.2 s) is never BEST.
    laps = [s.best for s in stats if s is not None]
    verdicts = judge_event(record.runs, record.changes, record.audit, stats)
    judged = [(g.outcome, move_label(n.parameter, n.direction, short=True))
              for g in verdicts.gaps if g.outcome for n in g.net]
    return EventSummary(record, best, None if index is None else stats[index],
                        min(laps) if laps else None, verdicts, judged)


def stored_summaries(stored: HistoryFigures) -> list[EventSummary]:
    """Each event's line of the history list from stored figures (``Store.
    history_figures``), as ``summarise`` makes it from the laps: no lap read."""
    runs_of: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    judged_of: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for row in stored.runs:
        runs_of[str(row["event_id"])].append(row)
    for row in stored.outcomes:  # counted moves, in position order
        if row["outcome"]:
            judged_of[str(row["event_id"])].append((str(row["outcome"]), move_label(
                str(row["parameter"]), int(row["direction"]), short=True)))
    found = []
    for event in stored.events:
        best = best_of(runs_of[event.id])
        found.append(EventSummary(EventRecord(event, [], [], stored.audits.get(event.id)), None,
                                  best.stats, best.best_lap, None, judged_of[event.id]))
    return found


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
        """"3 tries, 2 faster, 1 within your variation, −0.40 % on average": every count
        said only when there is one, so a neutral try never reads "0 faster"."""
        neutral = self.judged - self.faster - self.slower
        counts = [(self.faster, "faster"), (self.slower, "slower"),
                  (neutral, "within your variation"),
                  (self.tries - self.judged, "not judged yet"),
                  (self.bundled, "with other changes")]
        parts = [f"{self.tries} {'try' if self.tries == 1 else 'tries'}"]
        parts += [f"{n} {what}" for n, what in counts[:4] if n]
        if self.mean_text:
            parts.append(f"{self.mean_text} on average")
        parts += [f"{n} {what}" for n, what in counts[4:] if n]
        return ", ".join(parts)


Key = tuple[str, int]


def tried_here(summaries: Iterable[EventSummary]) -> dict[Key, Tried]:
    """(parameter, direction) -> its figures over ``summaries`` (one entry per move of
    a parameter between two runs: an undone change and its undo count as nothing)."""
    figures: dict[Key, Tried] = {}
    for summary in summaries:
        assert summary.verdicts is not None, "a summary of laps, not of stored figures"
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


def stored_place_history(rows: Sequence[TriedRow], car: Car, cars: Mapping[str, Car]
                         ) -> PlaceHistory:
    """``place_history`` from the store's aggregate (``Store.tried_at`` at one place):
    ``car``'s figures first, then its model's for the moves ``car`` never tried."""
    model = (car.brand.casefold(), car.model.casefold())

    def same_model(car_id: str) -> bool:
        other = cars.get(car_id)
        return other is not None and (other.brand.casefold(), other.model.casefold()) == model

    own = _tried(r for r in rows if r.car_id == car.id)
    others = _tried(r for r in rows if r.car_id != car.id and same_model(r.car_id))
    return PlaceHistory(ranked_tries(own),
                        ranked_tries({k: v for k, v in others.items() if k not in own}))


def _tried(rows: Iterable[TriedRow]) -> dict[Key, Tried]:
    """Per-car aggregate rows summed over the cars: one ``Tried`` per move."""
    figures: dict[Key, Tried] = {}
    for row in rows:
        entry = figures.setdefault((row.parameter, row.direction),
                                   Tried(row.parameter, row.direction))
        entry.tries += row.tries
        entry.faster += row.faster
        entry.slower += row.slower
        entry.bundled += row.bundled
        entry.effects.extend(row.effects)
    return figures
