"""Stored run figures and change outcomes on PostgreSQL (the rule: apex.figures).

``postgres_runs.refresh_figures`` rewrites one event's rows inside the caller's
transaction: every write that can change them calls it before it commits, so the
figures are never stale. ``FigureMethods`` (a base class of ``PostgresStore``) reads
them, racer-scoped, and sums "what worked here" with one GROUP BY.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from datetime import UTC

from apex import figures
from apex.figures import HistoryFigures, TriedRow
from apex.lap_stats import COMPARABLE_MIN_CLEAN, RunStats
from apex.models import Audit, Event
from apex.paging import EventCursor
from apex.stores.postgres_events import HISTORY_AUDITS, LIST_EVENTS
from apex.stores.postgres_events import _listing as listing_args
from apex.stores.postgres_keys import ids
from apex.stores.postgres_params import Conn
from apex.tables import TABLES


def _cols(table: str, alias: str) -> str:
    """The table's columns as the CSV store hands them out (ids as text)."""
    return ", ".join(f"{alias}.{c}::text AS {c}" if c.endswith("_id") else f"{alias}.{c}"
                     for c in TABLES[table])


_FIGURES = f"""SELECT {_cols("run_figures", "f")} FROM run_figures f
JOIN events e ON e.id = f.event_id
WHERE f.event_id = %(event_id)s AND e.profile_id = %(racer_id)s ORDER BY f.position"""
# Every event's figures and counted outcomes, for the history list.
_RACER_FIGURES = f"""SELECT {_cols("run_figures", "f")} FROM run_figures f
JOIN events e ON e.id = f.event_id
WHERE e.profile_id = %(racer_id)s AND e.id = ANY(%(event_ids)s::uuid[])"""
_RACER_OUTCOMES = f"""SELECT {_cols("change_outcomes", "o")} FROM change_outcomes o
JOIN events e ON e.id = o.event_id
WHERE e.profile_id = %(racer_id)s AND e.id = ANY(%(event_ids)s::uuid[]) AND o.counted
ORDER BY o.event_id, o.position"""
# "What worked here" (apex.event_history.tried_here), per car, parameter and direction.
# lower() stands for Python's casefold(): the same for every track name typed on a phone.
_TRIED = """SELECT e.vehicle_id::text AS car_id, o.parameter, o.direction,
count(*) AS tries,
count(*) FILTER (WHERE o.outcome = 'success' AND o.effect_pct IS NOT NULL) AS faster,
count(*) FILTER (WHERE o.outcome = 'failure' AND o.effect_pct IS NOT NULL) AS slower,
count(*) FILTER (WHERE o.bundled) AS bundled,
coalesce(array_agg(o.effect_pct ORDER BY o.effect_pct)
         FILTER (WHERE o.outcome <> '' AND o.effect_pct IS NOT NULL), '{}') AS effects
FROM change_outcomes o JOIN events e ON e.id = o.event_id
WHERE e.profile_id = %(racer_id)s AND o.counted AND lower(e.track) = lower(%(track)s)
AND (%(condition)s = '' OR lower(e.condition) = lower(%(condition)s))
AND e.id <> ALL(%(leave_out)s::uuid[])
GROUP BY e.vehicle_id, o.parameter, o.direction
ORDER BY 1, 2, 3"""
_BEST_TOP5 = """SELECT min(f.top5) AS top5 FROM run_figures f JOIN events e ON e.id = f.event_id
WHERE e.profile_id = %(racer_id)s AND e.vehicle_id = %(car_id)s
AND lower(e.track) = lower(%(track)s) AND e.id <> ALL(%(leave_out)s::uuid[])
AND f.clean >= %(comparable)s"""


class FigureMethods:
    """Stored figures: part of ``PostgresStore`` (a base class of it)."""

    _tx: Callable[..., AbstractContextManager[Conn]]

    def run_figures(self, racer_id: str, event_id: str) -> dict[str, RunStats | None]:
        if (key := ids(racer_id=racer_id, event_id=event_id)) is None:
            return {}
        with self._tx(read=True) as conn:
            return figures.event_stats(conn.execute(_FIGURES, key).fetchall())

    def history_figures(self, racer_id: str, *, track: str = "", condition: str = "",
                        before: EventCursor | None = None,
                        limit: int | None = None) -> HistoryFigures:
        if (listing := listing_args(racer_id, None, track, condition, before, limit)) is None:
            return HistoryFigures([], {}, [], [])
        with self._tx(read=True) as conn:
            events = [Event(**r) for r in conn.execute(LIST_EVENTS, listing).fetchall()]
            key = {"racer_id": listing["racer_id"], "event_ids": [e.id for e in events]}
            return HistoryFigures(
                events,
                {r["event_id"]: Audit(**{**r, "created_at": r["created_at"].astimezone(UTC)})
                 for r in conn.execute(HISTORY_AUDITS, key).fetchall()},
                conn.execute(_RACER_FIGURES, key).fetchall(),
                conn.execute(_RACER_OUTCOMES, key).fetchall())

    def tried_at(self, racer_id: str, track: str, condition: str = "", *,
                 leave_out: Sequence[str] = ()) -> list[TriedRow]:
        if (key := ids(racer_id=racer_id)) is None:
            return []
        args = {**key, "track": track, "condition": condition,
                "leave_out": [e for e in leave_out if ids(event_id=e) is not None]}
        with self._tx(read=True) as conn:
            return [TriedRow(**{**r, "effects": list(r["effects"])})
                    for r in conn.execute(_TRIED, args).fetchall()]

    def best_top5(self, racer_id: str, car_id: str, track: str, *,
                  leave_out: Sequence[str] = ()) -> float | None:
        if (key := ids(racer_id=racer_id, car_id=car_id)) is None:
            return None
        args = {**key, "track": track, "comparable": COMPARABLE_MIN_CLEAN,
                "leave_out": [e for e in leave_out if ids(event_id=e) is not None]}
        with self._tx(read=True) as conn:
            row = conn.execute(_BEST_TOP5, args).fetchone()
        return None if row is None or row["top5"] is None else float(row["top5"])
