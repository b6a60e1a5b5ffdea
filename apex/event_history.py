"""An event in a few figures, and what worked where: the Analysis tab's history.

Pure functions over ``EventRecord``s. An event's figures come from its best run
(lowest median clean lap, TUNING.md §5); a change "worked" at a track and
condition when its verdict (the audit's, else the laps') was a success there.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from apex.catalogue import BY_KEY
from apex.change_impact import ChangeImpact, change_impacts
from apex.compare import delta_text
from apex.lap_stats import RunStats, best_run, event_run_stats
from apex.models import EventRecord, Run


@dataclass(frozen=True)
class EventSummary:
    record: EventRecord
    best: Run | None  # the event's best run
    best_stats: RunStats | None
    best_lap: float | None  # the fastest lap of any run
    impacts: list[ChangeImpact]

    @property
    def worked(self) -> list[ChangeImpact]:
        return [i for i in self.impacts if i.verdict == "success"]

    @property
    def failed(self) -> list[ChangeImpact]:
        return [i for i in self.impacts if i.verdict == "failure"]


def summarise(record: EventRecord) -> EventSummary:
    stats = event_run_stats(record.runs)
    index = best_run(record.runs)
    best = None if index is None else record.runs[index]
    # The best lap is a clean one: a double transponder hit (4.2 s) is never BEST.
    laps = [s.best for s in stats if s is not None]
    return EventSummary(record, best, None if index is None else stats[index],
                        min(laps) if laps else None,
                        change_impacts(record.changes, record.runs))


def change_label(impact: ChangeImpact) -> str:
    """``DF −1000 cSt``, or ``Compound Green → Orange`` for text."""
    c = impact.change
    if c.parameter not in BY_KEY:
        return f"{c.parameter} {c.old_value} → {c.new_value}"
    delta = delta_text(c.parameter, c.old_value or None, c.new_value or None)
    return f"{c.parameter} {delta}" if delta else (
        f"{c.parameter} {c.old_value or 'unset'} → {c.new_value or 'unset'}")


def same_place(summary: EventSummary, track: str, condition: str) -> bool:
    """The event ran at ``track`` (case-insensitive) in ``condition`` ("" = any)."""
    event = summary.record.event
    return (event.track.casefold() == track.casefold()
            and (not condition or event.condition.casefold() == condition.casefold()))


def what_worked(summaries: Sequence[EventSummary]) -> tuple[list[tuple[str, int]],
                                                            list[tuple[str, int]]]:
    """Changes that succeeded and that failed across ``summaries``, most often first."""
    worked = Counter(change_label(i) for s in summaries for i in s.worked)
    failed = Counter(change_label(i) for s in summaries for i in s.failed)
    return worked.most_common(), failed.most_common()
