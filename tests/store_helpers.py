"""What the Store contract tests share: a racer, a car and two Shop Master baselines."""

from __future__ import annotations

from apex.catalogue import PRESETS
from apex.models import User
from apex.store import Store

NB48 = PRESETS["Tekno NB48 2.2"]
NT48 = PRESETS["Tekno NT48 2.2"]
CAR = {"brand": "Tekno", "model": "NB48 2.2", "nickname": "Blue", "transponder": "123",
       "class_name": "1/8 Buggy"}


def racer(store: Store, name: str = "alice") -> User:
    return store.create_user(name, f"{name}@example.com", "hash-" + name)
