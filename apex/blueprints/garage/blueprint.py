"""The garage blueprint and what its route modules share."""

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
