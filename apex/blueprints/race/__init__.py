"""Race Support (tab 3): notes, symptoms, runs and laps during the day.

Routes by region: ``views.py`` (the page, and what every section shows),
``notes.py`` (quick notes, symptom taps), ``runs.py`` (runs, deleted laps,
confidence), ``laps_in.py`` (pasted and uploaded laps, through apex.lap_reader),
``tyres.py`` (a fresh set of tyres).
Templates in ``templates/race/``; events are found through
``apex.blueprints.event.blueprint.own_event``.
"""

from __future__ import annotations

from apex.blueprints.race import (  # noqa: F401  (their routes join bp)
    laps_in,
    notes,
    runs,
    tyres,
    views,
)
from apex.blueprints.race.blueprint import bp

__all__ = ["bp"]
