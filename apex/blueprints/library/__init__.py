"""Setup Library (tab 5): the community's baselines, to find, compare and borrow.

Routes by region: ``browse.py`` (search, one baseline, CSV export, community
ranges), ``edit.py`` (add by hand, promote a Shop Master, edit and delete your
own, CSV and PDF imports), ``borrow.py`` (compare two setups, copy a package into
a car through a staging view). Templates in ``templates/library/``.
"""

from __future__ import annotations

from apex.blueprints.library import borrow, browse, contribute, edit  # noqa: F401  (their routes join bp)
from apex.blueprints.library.blueprint import bp

__all__ = ["bp"]
