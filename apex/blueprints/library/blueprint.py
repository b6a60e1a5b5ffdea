"""The library blueprint and what its route modules share."""

from __future__ import annotations

from flask import Blueprint, abort
from flask_login import login_required

from apex.db import get_store
from apex.models import LibraryBaseline

bp = Blueprint("library", __name__, url_prefix="/library")


@bp.before_request
@login_required
def _require_login() -> None:
    """The library is shared, but only racers with an account read it."""


def baseline_or_404(baseline_id: int) -> LibraryBaseline:
    baseline = get_store().get_library_baseline(baseline_id)
    if baseline is None:
        abort(404)
    return baseline
