"""Garage: the racer's profile, sponsors, fleet and each car's Shop Master baseline.

Routes live in the modules below, one per region of the tab; templates in
``templates/garage/``; data access only through ``get_store()``.
"""

from __future__ import annotations

# their routes join bp
from apex.blueprints.garage import cars, notes, overview, profile, setup  # noqa: F401
from apex.blueprints.garage.blueprint import bp, index

__all__ = ["bp", "index"]
