"""Figures computed once: each run's §5 figures and each change's outcome, as stored rows.

Why stored: a season (200 events × 20 runs × 30 laps) made every history page read
120 000 laps and redo the lap maths of every run. Both stores now keep, per event,
one ``run_figures`` row per run and one ``change_outcomes`` row per applied change,
rewritten in the same transaction as every write that can change them (laps added,
deleted, undone or flagged; a run added; a change made, undone, accepted or denied;
an import; the upgrade that brings an older store up). A run's flags depend on the
other runs of its day (``lap_stats.day_references``) and a verdict on the runs
around the change, so the whole event is recomputed at once: one event is cheap.

This module is the one rule: ``event_rows`` turns an event's runs and changes into
those rows (``lap_stats.event_run_stats`` and ``verdicts.judge_event``, nothing
else), ``stats_of`` reads a stored row back as the ``RunStats`` it was made from,
and ``history_rows`` / ``tried_from`` are the per-parameter aggregate of "what
worked here" (the CSV store's; PostgreSQL computes the same with one GROUP BY).
The audit is not stored: it is the racer's opinion, read beside the verdict.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from apex.lap_stats import COMPARABLE_MIN_CLEAN, Flag, RunStats, event_run_stats
from apex.models import Audit, Event, Run, SetupChange
from apex.verdicts import judge_event

Row = dict[str, Any]

# The RunStats fields stored as numbers (None where the figure has no value).
_NUMBERS = ("best", "mean", "median", "sd", "cov_pct", "consistency", "top5", "top10",
            "best3", "fade")


def run_row(event_id: str, position: int, run: Run, stats: RunStats | None) -> Row:
    """A run's stored figures: every field of ``stats`` (None: no clean lap), its lap
    count and its place among the event's runs (ties of the best run go to the earlier)."""
    row: Row = {"run_id": run.id, "event_id": event_id, "position": position,
                "laps": len(run.laps), "clean": 0, "flags": "", "fading": False,
                **dict.fromkeys(_NUMBERS)}
    if stats is not None:
        row.update({"clean": stats.clean, "flags": ",".join(stats.flags),
                    "fading": stats.fading, **{n: getattr(stats, n) for n in _NUMBERS}})
    return row


def stats_of(row: Mapping[str, Any]) -> RunStats | None:
    """The ``RunStats`` a stored row was made from (None for a run without a clean lap)."""
    if not row["clean"]:
        return None
    flags = cast(tuple[Flag, ...], tuple(str(row["flags"]).split(",")))

    def number(name: str) -> float | None:
        return None if row[name] is None else float(row[name])

    return RunStats(
        laps=int(row["laps"]), clean=int(row["clean"]), flags=flags,
        best=float(row["best"]), mean=float(row["mean"]), median=float(row["median"]),
        sd=number("sd"), cov_pct=number("cov_pct"), consistency=number("consistency"),
        top5=number("top5"), top10=number("top10"), best3=number("best3"),
        fade=number("fade"), fading=bool(row["fading"]))


def event_rows(event_id: str, runs: Sequence[Run], changes: Sequence[SetupChange]
               ) -> tuple[list[Row], list[Row]]:
    """The event's ``run_figures`` and ``change_outcomes`` rows (``runs`` in order).

    An outcome row per applied change says what its verdict says (outcome, effect and
    band in %, reverted, judged with other changes). The first change of each net move
    of a gap is ``counted``: "what worked here" counts that move once, by its
    parameter and ``direction``, in ``position`` order (the history line's order).
    """
    stats = event_run_stats(runs)
    figures = [run_row(event_id, n, run, s) for n, (run, s) in enumerate(zip(runs, stats,
                                                                          strict=True))]
    verdicts = judge_event(runs, changes, None, stats)
    heads = {n.changes[0].id: (n, i) for i, (g, n) in enumerate(
        (g, n) for g in verdicts.gaps for n in g.net)}
    outcomes = []
    for v in verdicts.changes:
        gap = v.gap
        net, position = heads.get(v.change.id, (None, 0))
        outcomes.append({
            "change_id": v.change.id, "event_id": event_id, "parameter": v.change.parameter,
            "outcome": v.outcome,
            "effect_pct": None if v.reverted else gap.effect_pct,
            "band_pct": None if v.reverted else gap.band_pct,
            "reverted": v.reverted, "bundled": not v.reverted and len(gap.net) > 1,
            "counted": net is not None, "direction": net.direction if net else 0,
            "position": position})
    return figures, outcomes


# -- reading them back ---------------------------------------------------------------


def event_stats(rows: Iterable[Mapping[str, Any]]) -> dict[str, RunStats | None]:
    """run id -> its stored figures."""
    return {str(r["run_id"]): stats_of(r) for r in rows}


class StoredStats(Mapping[str, "RunStats | None"]):
    """run id -> its stored figures, each made into a ``RunStats`` when first asked for:
    a note saved on Race Support reads the runs with their figures and shows none."""

    def __init__(self, rows: Mapping[str, Mapping[str, Any]]) -> None:
        self._rows = rows  # by run id
        self._made: dict[str, RunStats | None] = {}

    def __getitem__(self, run_id: str) -> RunStats | None:
        if run_id not in self._made:
            self._made[run_id] = stats_of(self._rows[run_id])
        return self._made[run_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)


@dataclass(frozen=True)
class Best:
    """An event's best run and best lap, from its stored run figures."""

    run_id: str | None
    stats: RunStats | None
    best_lap: float | None


def best_of(rows: Iterable[Mapping[str, Any]]) -> Best:
    """The best run as ``lap_stats.best_run`` picks it (lowest top-5 average of the runs
    with 5 clean laps or more; ties to the lower best lap, then the earlier run) and the
    fastest clean lap of any run."""
    # Ranked on the stored columns: only the best run's figures are read back whole.
    listed = list(rows)
    ranked = [(float(r["top5"]), float(r["best"]), int(r["position"]), n)
              for n, r in enumerate(listed)
              if r["clean"] >= COMPARABLE_MIN_CLEAN and r["top5"] is not None]
    laps = [float(r["best"]) for r in listed if r["clean"]]
    if not ranked:
        return Best(None, None, min(laps) if laps else None)
    best = listed[min(ranked)[3]]
    return Best(str(best["run_id"]), stats_of(best), min(laps))


@dataclass(frozen=True)
class HistoryFigures:
    """What the history list reads (``Store.history_figures``): the racer's events
    (newest first), their latest audits, every run's stored figures and the counted
    outcome rows (by event, in position order). No lap."""

    events: list[Event]
    audits: dict[str, Audit]
    runs: list[Row]
    outcomes: list[Row]


@dataclass
class TriedRow:
    """One car's moves of one parameter one way, summed over events (the aggregate
    row both stores return): tries, lap results, bundled tries, each judged effect."""

    car_id: str
    parameter: str
    direction: int
    tries: int = 0
    faster: int = 0
    slower: int = 0
    bundled: int = 0
    effects: list[float] = field(default_factory=list)


def tried_from(outcomes: Iterable[Mapping[str, Any]], car_of: Mapping[str, str]
               ) -> list[TriedRow]:
    """The aggregate of counted ``outcomes`` rows (``car_of``: event id -> car id, the
    events to read): what PostgreSQL's GROUP BY returns, for the CSV store."""
    found: dict[tuple[str, str, int], TriedRow] = {}
    for o in outcomes:
        car = car_of.get(str(o["event_id"]))
        if car is None or not o["counted"]:
            continue
        key = (car, str(o["parameter"]), int(o["direction"]))
        entry = found.setdefault(key, TriedRow(*key))
        entry.tries += 1
        entry.bundled += bool(o["bundled"])
        if o["outcome"] and o["effect_pct"] is not None:
            entry.effects.append(float(o["effect_pct"]))
            entry.faster += o["outcome"] == "success"
            entry.slower += o["outcome"] == "failure"
    for entry in found.values():
        entry.effects.sort()  # as PostgreSQL's array_agg gives them
    return sorted(found.values(), key=lambda t: (t.car_id, t.parameter, t.direction))


def touched(written: Mapping[str, Sequence[Mapping[str, Any]]]) -> tuple[set[str], set[str]]:
    """The events an import wrote rows of (``written``: table -> rows created or
    updated, with stored ids), and the runs it wrote laps of: whose figures to remake."""
    events = {str(r["id"]) for r in written.get("events", ())}
    for table in ("runs", "setup_changes"):
        events |= {str(r["event_id"]) for r in written.get(table, ())}
    return events, {str(r["run_id"]) for r in written.get("laps", ())}
