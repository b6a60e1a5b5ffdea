"""Plain frozen dataclasses that cross the Store boundary (never DB rows)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from apex.catalogue import Value

EXPERIENCE_LEVELS: tuple[str, ...] = ("Sportsman", "Intermediate", "Pro")
PROFILE_FIELDS: tuple[str, ...] = (
    "name", "email", "facebook", "instagram", "transponder", "experience_level", "driving_style",
)
CAR_FIELDS: tuple[str, ...] = ("brand", "model", "nickname", "transponder", "class_name")
SPONSOR_FIELDS: tuple[str, ...] = ("name", "category")


@dataclass(frozen=True)
class User:
    id: str
    username: str
    email: str
    password_hash: str
    is_admin: bool
    racer_id: str  # the user's one racer profile


@dataclass(frozen=True)
class Profile:
    id: str
    user_id: str
    name: str = ""
    email: str = ""
    facebook: str = ""
    instagram: str = ""
    transponder: str = ""
    experience_level: str = ""
    driving_style: str = ""


@dataclass(frozen=True)
class Sponsor:
    id: str
    racer_id: str
    name: str
    category: str = ""


@dataclass(frozen=True)
class Car:
    id: str
    racer_id: str
    brand: str
    model: str
    nickname: str = ""
    transponder: str = ""
    class_name: str = ""

    @property
    def label(self) -> str:
        """How the old app named a car ("Tekno NB48 2.2"), plus the nickname."""
        base = f"{self.brand} {self.model}".strip()
        return f"{base} “{self.nickname}”" if self.nickname else base


@dataclass(frozen=True)
class Setup:
    """A car's Shop Master baseline: catalogue key -> value (None when unset)."""

    car_id: str
    values: dict[str, Value] = field(default_factory=dict)
    updated_at: datetime | None = None
