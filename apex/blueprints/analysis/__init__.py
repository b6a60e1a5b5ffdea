"""Post Event Analysis (tab 4): what made the car faster.

Routes by region: ``history.py`` (every event by track and condition, and what
worked there), ``event.py`` (one event: run statistics, charts, change impact,
closing audit, race report, CSV exports). Templates in ``templates/analysis/``;
the maths in apex.lap_stats, apex.change_impact, apex.event_history, the charts
in apex.charts, the report in apex.race_report.
"""

from __future__ import annotations

from apex.blueprints.analysis import event, history  # noqa: F401  (their routes join bp)
from apex.blueprints.analysis.blueprint import bp

__all__ = ["bp"]
