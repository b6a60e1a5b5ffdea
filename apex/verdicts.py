"""What each setup change did to the lap times (TUNING.md §5 "Change verdict", "Audit").

Pure functions over one event's runs (in order) and changes. Why each rule:

- A change is judged on B, the last run with laps before it, against A, the first
  run with laps on a setup that has it, each with 5 clean laps or more: a 1-lap run
  against a 1-lap run proves nothing ("not enough laps yet").
- Changes made between the same B and A are one *gap*, judged together (a bundle:
  the laps cannot say which of them did it). Within a gap a parameter counts by its
  net move: a change undone, or restored away, before any run nets out with its undo
  and both read "reverted", judged by nothing.
- The track evolves through a day. Consecutive runs with no net change between them
  measure that drift (d, the median of their relative differences of median clean
  lap, in %/run); it is taken off the raw difference, so a track getting faster does
  not make a change that did nothing a success, and a track going off does not hide
  a real gain. With no such pair the trend is unknown and the verdict says so.
- Lap times scatter. The noise band is 1.96 standard errors of the difference of the
  two medians (a median's standard error is about 1.253 × a mean's), widened by the
  spread of the trend pairs when there are several (in quadrature: the drift of this
  very gap is known no better than that). An effect inside max(band, 0.2 %) is
  "neutral — within your normal variation".
- The closing audit is the racer's opinion, shown beside the lap verdict and never
  instead of it; where they disagree both are said ("laps: faster · you: felt worse").
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from apex.catalogue import BY_KEY, coerce, move_direction, move_label
from apex.lap_stats import RunStats, event_run_stats
from apex.models import Audit, Run, SetupChange

APPLIED = ("accepted", "reverted")  # changes that were on the car (not proposals)
MEDIAN_SE = 1.253  # standard error of a median ≈ 1.253 × that of a mean
Z95 = 1.96
FLOOR_PCT = 0.2  # below this no lap-time difference is called a result
# Exactly on the line counts as beyond it: 0.061 / 30.5 is 0.2 %, though floats make
# it 0.19999999999999984 %.
EPSILON_PCT = 1e-9

FEW_LAPS = "not enough laps yet"
VARIATION = "within your normal variation"
REVERTED = "reverted"
NOT_RUN = "not run yet"
NO_RUN_BEFORE = "no run before it"

# The audit's opinion, by its verdict (apex.models.Audit.verdict).
FELT = {"success": "felt better", "failure": "felt worse", "neutral": "felt no different"}
RESULT = {"success": "faster", "failure": "slower", "neutral": "no clear change"}


@dataclass(frozen=True)
class Trend:
    """The track's drift from runs with no change between them (%/run each)."""

    pairs: tuple[float, ...]

    @property
    def known(self) -> bool:
        return bool(self.pairs)

    @property
    def drift(self) -> float:
        """d: the median pair, in %/run (0 when unknown: nothing is taken off)."""
        return statistics.median(self.pairs) if self.pairs else 0.0

    @property
    def spread(self) -> float:
        """The pairs' sample sd in %/run (0 with fewer than two pairs)."""
        return statistics.stdev(self.pairs) if len(self.pairs) >= 2 else 0.0

    @property
    def words(self) -> str:
        if not self.known:
            return "trend unknown"
        return f"track drift {signed(self.drift)} %/run accounted for"


@dataclass(frozen=True)
class NetChange:
    """A parameter's move over a gap: from the first change's old value to the last's new."""

    parameter: str
    old_value: str
    new_value: str
    changes: tuple[SetupChange, ...]

    @property
    def direction(self) -> int:
        """+1 up, −1 down, 0 for a text value or one that does not read as a number."""
        return move_direction(self.parameter, self.old_value, self.new_value)

    @property
    def label(self) -> str:
        """"Front diff oil thinner"."""
        return move_label(self.parameter, self.direction)


@dataclass(frozen=True)
class Gap:
    """The changes made between run B and run A, and what the laps say of them."""

    before: Run | None
    after: Run | None
    before_stats: RunStats | None
    after_stats: RunStats | None
    changes: tuple[SetupChange, ...]  # every change made in the gap, oldest first
    net: tuple[NetChange, ...]  # the parameters that moved, judged together
    trend: Trend

    @property
    def reason(self) -> str:
        """Why there is no verdict ("" when there is one)."""
        if not self.net:
            return REVERTED
        if self.before is None:
            return NO_RUN_BEFORE
        if self.after is None:
            return NOT_RUN
        if not (self.before_stats and self.after_stats and self.before_stats.comparable
                and self.after_stats.comparable):
            return FEW_LAPS
        return ""

    @property
    def raw_pct(self) -> float | None:
        """A against B, in % of B's median clean lap (negative = faster)."""
        if self.reason:
            return None
        b, a = self._medians()
        return (a - b) / b * 100

    @property
    def effect_pct(self) -> float | None:
        """The raw difference less the track's drift over one run."""
        raw = self.raw_pct
        return None if raw is None else raw - self.trend.drift

    @property
    def band_pct(self) -> float | None:
        """The noise band, in % of B's median."""
        if self.reason:
            return None
        b_stats, a_stats = self.before_stats, self.after_stats
        assert b_stats is not None and a_stats is not None and b_stats.sd is not None
        assert a_stats.sd is not None  # 5 clean laps or more: both have an sd
        se = MEDIAN_SE * math.sqrt(b_stats.sd ** 2 / b_stats.clean
                                   + a_stats.sd ** 2 / a_stats.clean)
        band = Z95 * se / b_stats.median * 100
        return math.hypot(band, self.trend.spread)

    @property
    def outcome(self) -> str:
        """success / failure / neutral by the laps; "" without a verdict."""
        effect, band = self.effect_pct, self.band_pct
        if effect is None or band is None:
            return ""
        limit = max(band, FLOOR_PCT) - EPSILON_PCT
        return "success" if effect <= -limit else "failure" if effect >= limit else "neutral"

    @property
    def effect_s(self) -> float | None:
        """The effect in s/lap (negative = faster)."""
        effect = self.effect_pct
        return None if effect is None else effect * self._medians()[0] / 100

    @property
    def band_s(self) -> float | None:
        band = self.band_pct
        return None if band is None else band * self._medians()[0] / 100

    @property
    def sentence(self) -> str:
        """"0.45 s/lap faster (± 0.20), track drift −0.14 %/run accounted for", or why not."""
        if self.reason:
            return self.reason
        effect, band = self.effect_s, self.band_s
        assert effect is not None and band is not None
        size = f"{abs(effect):.2f}"
        way = "" if size == "0.00" else " faster" if effect < 0 else " slower"
        figures = f"{size} s/lap{way} (± {band:.2f}), {self.trend.words}"
        return f"{VARIATION}: {figures}" if self.outcome == "neutral" else figures

    def _medians(self) -> tuple[float, float]:
        assert self.before_stats is not None and self.after_stats is not None
        return self.before_stats.median, self.after_stats.median


@dataclass(frozen=True)
class ChangeVerdict:
    """One change as the analysis shows it: its gap's verdict and the racer's opinion."""

    change: SetupChange
    gap: Gap
    opinion: str  # the audit's verdict (success / failure / neutral), "" without an audit

    @property
    def reverted(self) -> bool:
        """Netted out with its own undo (or a restore) before any run."""
        return not any(self.change in n.changes for n in self.gap.net)

    @property
    def outcome(self) -> str:
        """success / failure / neutral by the laps; "" without a lap verdict."""
        return "" if self.reverted else self.gap.outcome

    @property
    def sentence(self) -> str:
        return REVERTED if self.reverted else self.gap.sentence

    @property
    def together(self) -> list[str]:
        """The other parameters judged with it ("together with …")."""
        if self.reverted:
            return []
        return [n.label for n in self.gap.net if self.change not in n.changes]

    @property
    def opinion_words(self) -> str:
        """"laps: faster · you: felt worse" when they disagree; "you: felt better" beside
        a verdict they agree with, or in place of a missing one; "" without an audit."""
        if not self.opinion or self.reverted:
            return ""
        felt = f"you: {FELT[self.opinion]}"
        if self.disagrees:
            return f"laps: {RESULT[self.outcome]} · {felt}"
        return felt

    @property
    def disagrees(self) -> bool:
        return {self.outcome, self.opinion} == {"success", "failure"}


@dataclass(frozen=True)
class EventVerdicts:
    """Every applied change of one event, judged, in the order the changes were given."""

    changes: list[ChangeVerdict]
    gaps: list[Gap]
    trend: Trend

    def of(self, change: SetupChange) -> ChangeVerdict | None:
        return next((v for v in self.changes if v.change.id == change.id), None)


def judge_event(runs: Sequence[Run], changes: Sequence[SetupChange],
                audit: Audit | None = None,
                stats: Sequence[RunStats | None] | None = None) -> EventVerdicts:
    """Every applied change of an event (``runs`` in order, ``stats`` their
    ``event_run_stats`` when already computed) with its gap's verdict and the audit."""
    figures = list(stats) if stats is not None else event_run_stats(runs)
    by_run = {r.id: (r, s) for r, s in zip(runs, figures, strict=True)}
    position = {r.id: i for i, r in enumerate(runs)}
    # By the setup version each made (the stores give changes in the order they were
    # made, which a stable sort keeps among equals).
    applied = sorted((c for c in changes if c.status in APPLIED), key=lambda c: c.version or 0)
    groups: dict[str | None, list[SetupChange]] = {}
    for change in applied:
        before = _driven(runs, position.get(change.run_before or ""))
        groups.setdefault(None if before is None else before.id, []).append(change)
    nets = {key: _net(group) for key, group in groups.items()}
    trend = _trend(runs, figures, {k for k, net in nets.items() if net})
    gaps: dict[str | None, Gap] = {}
    for key, group in groups.items():
        before, b = by_run.get(key or "", (None, None))
        after_id = _after(group, nets[key], position)
        after, a = by_run.get(after_id or "", (None, None))
        gaps[key] = Gap(before, after, b, a, tuple(group), nets[key], trend)
    opinion = audit.verdict if audit is not None else ""
    order = {c.id: i for i, c in enumerate(changes)}
    judged = [ChangeVerdict(c, gaps[key], opinion) for key, group in groups.items()
              for c in group]
    judged.sort(key=lambda v: order[v.change.id])
    in_order = sorted(gaps.values(), key=lambda g: position[g.before.id] if g.before else -1)
    return EventVerdicts(judged, in_order, trend)


def _driven(runs: Sequence[Run], at: int | None) -> Run | None:
    """The run at ``at``, or the last one before it that has laps: a run started and
    left empty (rained off, a typo) says nothing about the setup before a change."""
    if at is None:
        return None
    return next((r for r in reversed(runs[: at + 1]) if r.laps), None)


def _net(group: Sequence[SetupChange]) -> tuple[NetChange, ...]:
    """Each parameter's move over the gap, leaving out those back where they started."""
    moves: dict[str, list[SetupChange]] = {}
    for change in group:
        moves.setdefault(change.parameter, []).append(change)
    net = []
    for key, chain in moves.items():
        old, new = chain[0].old_value, chain[-1].new_value
        if not _same(key, old, new):
            net.append(NetChange(key, old, new, tuple(chain)))
    return tuple(net)


def _same(key: str, a: str, b: str) -> bool:
    param = BY_KEY.get(key)
    if param is None or not param.is_numeric:
        return a.strip().casefold() == b.strip().casefold()
    try:
        x, y = coerce(param, a), coerce(param, b)
    except (ArithmeticError, ValueError):
        return a.strip() == b.strip()
    return (x is None and y is None) or (x is not None and y is not None
                                         and Decimal(x) == Decimal(y))


def _after(group: Sequence[SetupChange], net: Sequence[NetChange],
           position: dict[str, int]) -> str | None:
    """The first run with laps on the setup after the gap: the run after of the changes
    that count (the stores set it when a run on their version gets laps)."""
    counted = [c.run_after for n in net for c in n.changes if c.run_after in position]
    return min(counted, key=lambda r: position[r or ""], default=None)


def _trend(runs: Sequence[Run], figures: Sequence[RunStats | None],
           changed: set[str | None]) -> Trend:
    """The relative differences of consecutive runs with laps, both of 5 clean laps or
    more, with no net change between them (``changed``: the runs a change followed)."""
    driven = [(r, s) for r, s in zip(runs, figures, strict=True) if r.laps]
    pairs = []
    for (r1, s1), (_, s2) in zip(driven, driven[1:], strict=False):
        if r1.id in changed or not (s1 and s2 and s1.comparable and s2.comparable):
            continue
        pairs.append((s2.median - s1.median) / s1.median * 100)
    return Trend(tuple(pairs))


def signed(value: float) -> str:
    """"−0.14" with a real minus sign, "+0.10": a figure a racer reads, not parses."""
    text = f"{value:+.2f}"
    return "\u2212" + text[1:] if text.startswith("-") else text

