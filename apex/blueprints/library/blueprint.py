"""The library blueprint and what its route modules share."""

from __future__ import annotations

from flask import Blueprint, abort
from flask_login import login_required

from apex.db import get_store
from apex.models import LibraryBaseline, LibraryQuery

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


PICKS = 8  # library setups offered to compare with: a phone screen of them


def compare_picks(baseline: LibraryBaseline, q: str) -> tuple[list[LibraryBaseline], bool]:
    """Library setups to compare ``baseline`` with (never itself), and whether more match
    than are shown: those matching ``q``; without ``q``, those of the same car (the
    likeliest wanted), newest first."""
    query = (LibraryQuery(text=q, per_page=PICKS + 1) if q.strip() else
             LibraryQuery(brand=baseline.brand, vehicle=baseline.vehicle, per_page=PICKS + 1))
    found = get_store().search_library(query)
    others = [r for r in found.rows if r.id != baseline.id]
    shown_self = len(others) < len(found.rows)
    return others[:PICKS], found.total - shown_self > PICKS
