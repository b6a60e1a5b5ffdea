"""Garage: the racer's profile, sponsors, fleet and each car's Shop Master baseline.

Routes live in the modules below, one per region of the tab; templates in
``templates/garage/``; data access only through ``get_store()``.
"""

from __future__ import annotations

from apex.blueprints.garage import (  # noqa: F401  (their routes join bp)
    account,
    archive,
    cars,
    notes,
    overview,
    profile,
    setup,
)
from apex.blueprints.garage.blueprint import bp
from apex.blueprints.garage.overview import index

__all__ = ["bp", "index"]
