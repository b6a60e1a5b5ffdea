"""Plain frozen dataclasses that cross the Store boundary (never DB rows)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from apex.catalogue import Value

EXPERIENCE_LEVELS: tuple[str, ...] = ("Sportsman", "Intermediate", "Pro")
PROFILE_FIELDS: tuple[str, ...] = (
    "name", "email", "facebook", "instagram", "transponder", "experience_level", "driving_style",
)
CAR_FIELDS: tuple[str, ...] = (
    "brand", "model", "nickname", "transponder", "class_name", "power",
)
SPONSOR_FIELDS: tuple[str, ...] = ("name", "category")


@dataclass(frozen=True)
class User:
    id: str
    username: str
    email: str
    password_hash: str
    is_admin: bool
    racer_id: str  # the user's one racer profile
    # Part of every login cookie; moving it on revokes them all (apex/login_session.py).
    session_generation: int = 0


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
    version: int = 1  # grows with each save that changes it (apex.versions)


@dataclass(frozen=True)
class Sponsor:
    id: str
    racer_id: str
    name: str
    category: str = ""


def car_label(brand: str, model: str, nickname: str = "") -> str:
    """How the old app named a car ("Tekno NB48 2.2"), plus the nickname: the one
    definition, for the car, its notes and its Shop Master notes on both stores."""
    base = f"{brand} {model}".strip()
    return f"{base} “{nickname}”".strip() if nickname else base


@dataclass(frozen=True)
class Car:
    id: str
    racer_id: str
    brand: str
    model: str
    nickname: str = ""
    transponder: str = ""
    class_name: str = ""
    power: str = "nitro"  # apex.catalogue.POWERS: which parameters the car has
    version: int = 1  # grows with each save that changes it (apex.versions)
    # When the racer removed it from the garage (None: in use). An archived car keeps
    # its history; apex.car_rules says what it may still do.
    archived_at: datetime | None = None

    @property
    def label(self) -> str:
        return car_label(self.brand, self.model, self.nickname)

    @property
    def archived(self) -> bool:
        return self.archived_at is not None


@dataclass(frozen=True)
class Setup:
    """A car's Shop Master baseline: catalogue key -> value (None when unset)."""

    car_id: str
    values: dict[str, Value] = field(default_factory=dict)
    updated_at: datetime | None = None
    version: int = 1  # grows with each save that changes it (apex.versions)


# --- the Setup Library (shared by all racers) -------------------------------------------

LIBRARY_SOURCES: tuple[str, ...] = (
    "Factory Base", "Pro Sheet", "Friend/Teammate", "Online Forum", "User Upload", "Other",
)
LIBRARY_FIELDS: tuple[str, ...] = (
    "track", "brand", "vehicle", "condition", "date", "source", "driver_name", "notes",
)


@dataclass(frozen=True)
class LibraryBaseline:
    """A community baseline: where and when it ran, who shared it, and its setup."""

    id: int
    track: str
    brand: str
    vehicle: str
    condition: str
    date: date
    source: str
    driver_name: str
    notes: str
    submitted_by: str | None  # the racer id of who added it (None: imported, nobody's)
    submitter_name: str  # that racer's profile name, for the credit line
    values: dict[str, Value] = field(default_factory=dict)
    created_at: datetime | None = None
    version: int = 1  # grows with each save that changes it (apex.versions)


@dataclass(frozen=True)
class LibraryQuery:
    """A library search: free text (every word must match) plus exact filters."""

    text: str = ""
    brand: str = ""
    vehicle: str = ""
    track: str = ""
    condition: str = ""
    date_from: date | None = None
    date_to: date | None = None
    page: int = 1
    per_page: int = 20
    # Keyset paging: the rows just older than ``after`` / newer than ``before``, each the
    # (date, id) of a row the previous page showed; ``page`` then only numbers the page.
    after: tuple[date, int] | None = None
    before: tuple[date, int] | None = None


@dataclass(frozen=True)
class LibraryPage:
    rows: list[LibraryBaseline]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def older(self) -> str:
        """The cursor of the next (older) page: its newest row is just older than this
        page's last (``LibraryQuery.after``)."""
        return cursor(self.rows[-1]) if self.rows else ""

    @property
    def newer(self) -> str:
        """The cursor of the previous (newer) page (``LibraryQuery.before``)."""
        return cursor(self.rows[0]) if self.rows else ""


def cursor(row: LibraryBaseline) -> str:
    """A library row's place in the newest-first order, for a paging link: ``date.id``."""
    return f"{row.date.isoformat()}.{row.id}"


def parse_cursor(text: str) -> tuple[date, int] | None:
    """``cursor``'s (date, id) back; None if it is not one."""
    day, _, number = (text or "").partition(".")
    try:
        return date.fromisoformat(day), int(number)
    except ValueError:
        return None


@dataclass(frozen=True)
class LibraryFacets:
    """The distinct values the filter lists offer."""

    brands: list[str]
    vehicles: list[str]
    tracks: list[str]
    conditions: list[str]


@dataclass(frozen=True)
class TrackLog:
    id: str
    racer_id: str
    timestamp: datetime
    kind: str  # note / symptom / change / system
    note: str
    track: str = ""
    car: str = ""
    event: str = ""
    keywords: str = ""
    event_id: str | None = None  # the race-day event it was written at, if any
    run_id: str | None = None  # the run it is about (a symptom tapped during a run)


# --- the race day: events, their setup, changes, runs and laps ---------------------------

EVENT_TYPES: tuple[str, ...] = ("Practice", "Qualifying", "Main", "Club Race")
TRACK_SIZES: tuple[str, ...] = ("Small", "Medium", "Large")
TRACTIONS: tuple[str, ...] = ("Low", "Medium", "High")
SURFACES: tuple[str, ...] = (
    "Dusty", "Dry", "Wet", "Muddy", "Loam", "Hard-packed", "Clay", "Astroturf", "Carpet",
)
CONDITIONS: tuple[str, ...] = ("Smooth", "Bumpy", "Rutted")
EVENT_TEXTS: tuple[str, ...] = (
    "name", "type", "track", "track_size", "traction", "surface", "condition",
)
EVENT_NUMBERS: tuple[str, ...] = ("temperature", "practice_rounds", "qualifying_rounds")
CHANGE_SOURCES: tuple[str, ...] = ("manual", "advisor", "library", "package")
# Where a change came from, as a racer reads it.
CHANGE_SOURCE_WORDS: dict[str, str] = {"manual": "by hand", "advisor": "from the advisor",
                                       "library": "from the library",
                                       "package": "a package copied"}
CHANGE_STATUSES: tuple[str, ...] = (
    "pending", "accepted", "denied", "reverted", "superseded",
)


@dataclass(frozen=True)
class Event:
    """A race day (or a multi-day meeting) of one car at one track."""

    id: str
    racer_id: str
    car_id: str
    name: str
    type: str
    start_date: date
    end_date: date | None = None
    track: str = ""
    track_size: str = ""
    traction: str = ""
    surface: str = ""
    condition: str = ""
    temperature: int | None = None  # °C
    practice_rounds: int | None = None
    qualifying_rounds: int | None = None
    status: str = "active"  # active / closed
    baseline: str = ""  # where the event setup was copied from, for the racer
    created_at: datetime | None = None

    @property
    def is_active(self) -> bool:
        return self.status == "active"


@dataclass(frozen=True)
class EventSetup:
    """The setup on the car today; ``version`` grows by one with every saved edit."""

    event_id: str
    version: int
    values: dict[str, Value] = field(default_factory=dict)
    updated_at: datetime | None = None
    # TUNING §3.8: the track temperature (°C) its shock oils are set for: the event's
    # when the setup was loaded, moved by each accepted temperature proposal.
    temperature_ref: int | None = None
    # TUNING §2: when a fresh set of the same tyres went on (the wear count restarts).
    tyres_fitted_at: datetime | None = None


@dataclass(frozen=True)
class SetupChange:
    """One parameter changed on an event setup (or proposed, or denied)."""

    id: str
    event_id: str
    parameter: str
    old_value: str
    new_value: str
    source: str  # manual / advisor / library / package
    reason: str = ""
    status: str = "accepted"  # pending / accepted / denied / reverted / superseded
    version: int | None = None  # the event setup version this change made
    run_before: str | None = None  # the last run before the change
    run_after: str | None = None  # the first run after it
    created_at: datetime | None = None
    ask_id: str = ""  # an advisor ask's proposals share it (one accepted: others superseded)
    pair_id: str = ""  # the two ends of a front/rear pair share it (TUNING §3.10)
    temperature_ref: int | None = None  # accepting it sets the setup's (°C, §3.8)


@dataclass(frozen=True)
class Lap:
    run_id: str
    lap_number: int
    seconds: Decimal
    flag: str = ""  # the racer's own: "" / "out" / "in" (apex.lap_stats.MANUAL_FLAGS)


@dataclass(frozen=True)
class Run:
    """A practice, heat or main: its laps, and how confident the racer felt."""

    id: str
    event_id: str
    name: str
    started_at: datetime
    setup_version: int  # the event setup version the car ran
    confidence: int | None = None  # 1-5
    laps: tuple[Lap, ...] = ()
    # How many laps it has where they were not read (Store.list_runs(laps=False)).
    unread_laps: int | None = None

    @property
    def seconds(self) -> list[Decimal]:
        return [lap.seconds for lap in self.laps]

    @property
    def lap_count(self) -> int:
        return len(self.laps) if self.unread_laps is None else self.unread_laps


@dataclass(frozen=True)
class SetupEdit:
    """What a saved event setup edit did: the new setup and one change per parameter."""

    setup: EventSetup
    changes: list[SetupChange]


# --- closing an event: the audit ----------------------------------------------------------

AUDIT_SYMPTOMS: tuple[str, ...] = (
    "Front washes out", "Rear loose", "Unstable in bumps", "Tight / won't rotate",
)
AUDIT_GAINS: tuple[str, ...] = ("Corner entry", "Corner exit", "Jumps and landings",
                                "Consistency")


@dataclass(frozen=True)
class Audit:
    """How the racer rated the event when closing it (1-5), and why."""

    id: str
    event_id: str
    rating: int
    symptom: str = ""  # for a rating of 1-2, one of AUDIT_SYMPTOMS
    gain: str = ""  # for a rating of 4-5, one of AUDIT_GAINS
    observation: str = ""
    best_lap: Decimal | None = None  # the official best lap, when the racer has it
    change_id: str | None = None
    created_at: datetime | None = None

    @property
    def verdict(self) -> str:
        """TUNING.md §5: 4-5 success, 1-2 failure, 3 neutral."""
        return "success" if self.rating >= 4 else "failure" if self.rating <= 2 else "neutral"


@dataclass(frozen=True)
class EventRecord:
    """An event with everything it logged: what the analysis and the history read."""

    event: Event
    runs: list[Run]
    changes: list[SetupChange]
    audit: Audit | None = None


# --- the Theory library: tuning documents, shared by all racers ---------------------------


@dataclass(frozen=True)
class TheoryDocument:
    """An uploaded tuning document and its extracted text (``content`` is "" in lists)."""

    id: str
    title: str
    category: str  # one of apex.theory.CATEGORIES
    filename: str
    content: str = ""
    uploaded_by: str | None = None  # the users.id of who uploaded it (None: nobody's)
    uploader: str = ""  # that user's username, for the credit line
    created_at: datetime | None = None


@dataclass(frozen=True)
class TheoryPassage:
    """A search hit: the document and a short snippet of it as ``(text, is_hit)`` pieces,
    so a template marks the hits while escaping every piece. ``rank``: higher is better
    (only its order means anything; the two stores score differently)."""

    document_id: str
    title: str
    category: str
    pieces: tuple[tuple[str, bool], ...]
    rank: float

    @property
    def snippet(self) -> str:
        """The snippet as plain text."""
        return "".join(text for text, _ in self.pieces)

    @property
    def hits(self) -> list[str]:
        """The words marked in the snippet, lowercased, each once."""
        return list(dict.fromkeys(text.lower() for text, hit in self.pieces if hit))
