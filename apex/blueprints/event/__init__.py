"""Event Setup (tab 1): start an event, and keep the setup on the car today.

Routes by region: ``events.py`` (the list, start an event; closing it is the
Analysis tab's audit),
``setup.py`` (the event setup form, its conflicts, back to last known good,
undo a change, push to Shop Master). Templates in ``templates/event/``. Race
Support (``apex.blueprints.race``) finds events through ``own_event`` too.
"""

from __future__ import annotations

from apex.blueprints.event import events, setup  # noqa: F401  (their routes join bp)
from apex.blueprints.event.blueprint import bp

__all__ = ["bp"]
