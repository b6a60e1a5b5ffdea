"""What each accepted change did to the lap times (TUNING.md §5, "Change verdict").

A change is judged on the run before it against the first run after it, on their
median clean laps: 0.2 % faster is a success, 0.2 % slower a failure, anything
between neutral. A difference smaller than the before run's own lap-to-lap spread
(its standard deviation) is called "within your normal variation" and counts as
neutral: one good run after a change is not proof. Either run with fewer than 5
clean laps gives no verdict ("not enough laps yet"). A verdict stored on the change
(set by the closing audit) overrides the laps.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from apex.lap_stats import RunStats, change_verdict, event_run_stats
from apex.models import Run, SetupChange

VARIATION = "within your normal variation"
FEW_LAPS = "not enough laps yet"


@dataclass(frozen=True)
class ChangeImpact:
    change: SetupChange
    before: Run | None
    after: Run | None
    before_stats: RunStats | None
    after_stats: RunStats | None
    lap_verdict: str  # success / failure / neutral from the laps; "" without laps both sides
    within_spread: bool  # the difference is smaller than the before run's spread

    @property
    def delta_pct(self) -> float | None:
        """After against before, in % of the before median (negative = faster)."""
        if self.before_stats is None or self.after_stats is None:
            return None
        return (self.after_stats.median - self.before_stats.median) / self.before_stats.median * 100

    @property
    def verdict(self) -> str:
        """The stored verdict (the audit's) if any, else the laps'."""
        return self.change.verdict or self.lap_verdict

    @property
    def summary(self) -> str:
        """"0.82 % faster", "within your normal variation", or why there is no verdict."""
        if self.before is None:
            return "no run before it"
        if self.after is None:
            return "not run yet"
        if self.delta_pct is None:
            return "no laps to compare"
        if not (self.before_stats and self.after_stats and self.before_stats.comparable
                and self.after_stats.comparable):
            return FEW_LAPS
        if self.within_spread:
            return VARIATION
        pct = abs(self.delta_pct)
        return f"{pct:.2f} % {'faster' if self.delta_pct < 0 else 'slower'}"


def change_impacts(changes: Sequence[SetupChange], runs: Sequence[Run]) -> list[ChangeImpact]:
    """One impact per accepted change, in the order of ``changes``."""
    by_id = {r.id: r for r in runs}
    position = {r.id: i for i, r in enumerate(runs)}
    stats = dict(zip((r.id for r in runs), event_run_stats(runs), strict=True))
    impacts: list[ChangeImpact] = []
    for change in changes:
        if change.status != "accepted":
            continue
        before = _driven(runs, position.get(change.run_before or ""))
        after = by_id.get(change.run_after or "")
        b = stats.get(before.id) if before else None
        a = stats.get(after.id) if after else None
        verdict, within = "", False
        if b is not None and a is not None and b.comparable and a.comparable:
            verdict = change_verdict(b.median, a.median)
            spread = b.sd if b.sd is not None else a.sd
            within = spread is not None and abs(a.median - b.median) < spread
            if within:
                verdict = "neutral"
        impacts.append(ChangeImpact(change, before, after, b, a, verdict, within))
    return impacts


def _driven(runs: Sequence[Run], at: int | None) -> Run | None:
    """The run at ``at``, or the last one before it that has laps: a run started and
    left empty (rained off, a typo) says nothing about the setup before a change."""
    if at is None:
        return None
    return next((r for r in reversed(runs[: at + 1]) if r.laps), runs[at])
