"""Demo data for a new install: one racer with an NB48 and an NT48 on their starting setups."""

from __future__ import annotations

from werkzeug.security import generate_password_hash

from apex.catalogue import PRESETS
from apex.db import Store

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo-racer-2026"

_CARS = (
    ({"brand": "Tekno", "model": "NB48 2.2", "nickname": "Race buggy",
      "transponder": "8421337", "class_name": "1/8 Nitro Buggy"}, "Tekno NB48 2.2"),
    ({"brand": "Tekno", "model": "NT48 2.2", "nickname": "",
      "transponder": "8421338", "class_name": "1/8 Nitro Truggy"}, "Tekno NT48 2.2"),
)


def seed_demo(store: Store) -> bool:
    """Create the demo racer and cars; return False (changing nothing) if they exist."""
    if store.find_user(DEMO_USERNAME) is not None:
        return False
    password_hash = generate_password_hash(DEMO_PASSWORD)
    user = store.create_user(DEMO_USERNAME, "demo@apex.example", password_hash)
    store.update_profile(user.racer_id, {
        "name": "Demo Racer", "email": "demo@apex.example", "facebook": "",
        "instagram": "@apex_demo", "transponder": "8421337",
        "experience_level": "Intermediate", "driving_style": "Smooth, late apex, brakes early",
    })
    store.add_sponsor(user.racer_id, "JConcepts", "Tyres")
    store.add_sponsor(user.racer_id, "REDS Racing", "Engines")
    for fields, preset in _CARS:
        store.add_car(user.racer_id, fields, PRESETS[preset])
    return True
