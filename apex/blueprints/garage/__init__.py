"""Garage: the racer's profile, sponsors, fleet and each car's Shop Master baseline.

Routes live in the modules below, one per region of the tab; templates in
``templates/garage/``; data access only through ``get_store()``.
"""

from __future__ import annotations

from flask import Blueprint, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

bp = Blueprint("garage", __name__, url_prefix="/garage")


@bp.before_request
@login_required
def _require_login() -> None:
    """Every Garage route is the logged-in racer's own."""


def index() -> ResponseReturnValue:
    """``/``: the Garage for a racer, the login page for anyone else."""
    if current_user.is_authenticated:
        return redirect(url_for("garage.show_garage"))
    return redirect(url_for("auth.login"))


from apex.blueprints.garage import cars, overview, profile, setup  # noqa: E402,F401
