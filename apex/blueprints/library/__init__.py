"""Setup Library (tab 5): the community's baselines, to find, compare and borrow.

Routes by region: ``browse.py`` (search, one baseline, CSV export, community
ranges), ``edit.py`` (add by hand, promote a Shop Master, edit and delete your
own, CSV and PDF imports), ``borrow.py`` (compare two setups, copy a package into
a car through a staging view). Templates in ``templates/library/``.
"""

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


from apex.blueprints.library import borrow, browse, contribute, edit  # noqa: E402,F401
