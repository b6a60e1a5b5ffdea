"""Race Support (tab 3): notes, symptoms, runs and laps during the day.

Routes by region: ``views.py`` (the page, and what every section shows),
``notes.py`` (quick notes, symptom taps), ``runs.py`` (runs, laps, confidence).
Templates in ``templates/race/``; events are found through
``apex.blueprints.event.own_event``.
"""

from __future__ import annotations

from flask import Blueprint
from flask_login import login_required

bp = Blueprint("race", __name__, url_prefix="/race")


@bp.before_request
@login_required
def _require_login() -> None:
    """Every run, lap and note is the logged-in racer's own."""


from apex.blueprints.race import notes, runs, views  # noqa: E402,F401
