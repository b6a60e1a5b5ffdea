"""The Store protocol, its errors and its constants: the seam between views and data.

Blueprints, domain code and both stores import this module; it imports neither
Flask nor a store. ``apex.db`` builds the store the configuration asks for.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol

from apex.car_rules import CarRemoval
from apex.catalogue import Value
from apex.community import CommunitySummary
from apex.figures import HistoryFigures, TriedRow
from apex.lap_stats import RunStats
from apex.login_throttle import AttemptLog
from apex.models import (
    Audit,
    Car,
    Event,
    EventRecord,
    EventSetup,
    LibraryBaseline,
    LibraryFacets,
    LibraryPage,
    LibraryQuery,
    Profile,
    Run,
    Setup,
    SetupChange,
    SetupEdit,
    Sponsor,
    TheoryDocument,
    TheoryPassage,
    TrackLog,
    User,
)
from apex.paging import EventCursor
from apex.request_keys import REQUEST_KEY_DAYS  # noqa: F401  (its home is apex.request_keys)
from apex.schema_sync import SchemaReport
from apex.transfer import Report, Rows


class DuplicateError(Exception):
    """A unique rule was broken; ``field`` names the form field to blame."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class StaleEditError(Exception):
    """An edit made from an older version of a record than the one stored, that would
    change it (apex.versions.saved_version); ``current`` is the record as stored now
    (a Profile, Car, Setup, LibraryBaseline or EventSetup). Nothing was written."""

    def __init__(self, current: Any) -> None:
        super().__init__(f"{type(current).__name__} is at version {current.version}")
        self.current = current


class StaleSetupError(StaleEditError):
    """An event setup edit made from an older version than the one stored."""

    current: EventSetup


class UntestedChangeError(Exception):
    """An acceptance while accepted changes wait for a run (TUNING §3.3), without the
    racer's "change both now": nothing was written. ``changes``: the waiting ones."""

    def __init__(self, changes: Sequence[SetupChange]) -> None:
        super().__init__(f"{len(changes)} accepted change(s) have no run after them")
        self.changes = list(changes)


class StoreUnavailable(Exception):
    """The database cannot be reached now (an outage): nothing was read or saved.

    The app answers with the outage page (503); ``flask db upgrade`` waits and retries.
    """


class Store(AttemptLog, Protocol):
    """Everything the app stores, in domain terms (and, from ``AttemptLog``, the failed
    login counts when no Redis is configured).

    NOTE: the contract, which both implementations pass (tests/test_store_contract*.py):
    - Results are the frozen dataclasses of ``apex.models``, never DB rows.
    - Every racer-owned method takes ``racer_id`` (the racer profile id) first and
      returns ``None``/``False`` for "missing" and "not yours" alike; it never
      reads or changes another racer's rows.
    - Each method is one transaction: it happens whole or not at all.
    - Unique rules raise ``DuplicateError`` and change nothing.
    - Create methods take an optional one-time ``request_key`` (the form's): a key
      this racer already used means the create was done before (a retried POST
      whose answer was lost), so they return ``None`` and change nothing. The key
      is recorded in the same transaction as the create; keys older than
      ``REQUEST_KEY_DAYS`` are forgotten.
    - Records a racer edits in a form (profile, car, Shop Master, own library baseline,
      event setup) carry a ``version``; their update methods take the ``version`` the
      racer's page showed and raise StaleEditError, writing nothing, when another is
      stored and the save would change something (apex.versions: one rule for all).
    - Methods are safe to call from several threads (and, for PostgreSQL and
      the CSV files, from several processes).
    """

    kind: str  # "postgres" or "csv"

    def ping(self) -> bool: ...
    # -- one-time request keys of race-day writes (apex.write_once) -------------------
    def keyed_write(self) -> AbstractContextManager[None]:
        """One transaction around a keyed write and its key (store calls inside join it):
        they are stored together or not at all."""
    def key_used(self, racer_id: str, request_key: str) -> bool:
        """Whether this racer stored this key (apex.request_keys.key_is_new)."""
    def keep_key(self, racer_id: str, request_key: str) -> bool:
        """Store the key; False if it is used already (a concurrent resend)."""
    def close(self) -> None: ...

    # schema
    def upgrade(self) -> SchemaReport:
        """Apply what is missing (migrations / CSV files, then every catalogue column of
        the setup tables), safe to repeat; report it and the columns kept."""
    def schema_status(self) -> list[tuple[str, bool]]:
        """Every known migration (or CSV file) and whether it is in place, then every
        catalogue column still to add ("column car_configs.Pinion", False)."""

    # users and their one racer profile
    def create_user(
        self, username: str, email: str, password_hash: str, *, is_admin: bool = False
    ) -> User:
        """Create a user and its racer profile together (DuplicateError on username/email)."""
    def get_user(self, user_id: str) -> User | None: ...
    def find_user(self, login: str) -> User | None:
        """The user whose username or email is ``login`` (case-insensitive)."""

    def get_profile(self, racer_id: str) -> Profile | None: ...
    def update_profile(self, racer_id: str, data: Mapping[str, str], *,
                       version: int | None = None) -> Profile | None:
        """Fields missing from ``data`` keep theirs. ``version``: what the racer's page
        showed; StaleEditError when another is stored and the save would change it
        (the same holds for every ``version`` argument below)."""

    def list_sponsors(self, racer_id: str) -> list[Sponsor]: ...
    def add_sponsor(
        self, racer_id: str, name: str, category: str, *, request_key: str | None = None
    ) -> Sponsor | None: ...
    def delete_sponsor(self, racer_id: str, sponsor_id: str) -> bool: ...

    def list_cars(self, racer_id: str, *, archived: bool | None = False) -> list[Car]:
        """The cars in use (the garage, every picker); ``archived=True``: the archived
        ones; None: all of them (naming the cars of past events)."""
    def get_car(self, racer_id: str, car_id: str) -> Car | None: ...
    def add_car(
        self, racer_id: str, data: Mapping[str, str], baseline: Mapping[str, Value],
        *, request_key: str | None = None,
    ) -> Car | None:
        """Create the car and its Shop Master baseline together."""
    def update_car(self, racer_id: str, car_id: str, data: Mapping[str, str], *,
                   version: int | None = None) -> Car | None: ...
    def archive_car(self, racer_id: str, car_id: str) -> Car | None:
        """Take the car out of use, keeping all of its history (apex.car_rules);
        CarRefused while it has an open event. An archived car is left as it is."""
    def restore_car(self, racer_id: str, car_id: str) -> Car | None: ...
    def car_removal(self, racer_id: str, car_id: str) -> CarRemoval | None:
        """What deleting the car for good would take (counts, apex.car_rules)."""
    def delete_car(self, racer_id: str, car_id: str) -> bool:
        """Only an archived car: it and everything of it, notes included (apex.car_rules);
        False (nothing deleted) for a car in use."""

    def get_car_config(self, racer_id: str, car_id: str) -> Setup | None: ...
    def get_car_with_config(self, racer_id: str, car_id: str) -> tuple[Car, Setup] | None:
        """The racer's car and its Shop Master, in one read (None if not their car)."""
    def save_car_config(
        self, racer_id: str, car_id: str, values: Mapping[str, Value], *,
        version: int | None = None,
    ) -> Setup | None:
        """Replace every parameter of the car's baseline with ``values``."""
    def change_car_config(
        self, racer_id: str, car_id: str, values: Mapping[str, Value], note: str,
        *, track: str = "",
    ) -> Setup | None:
        """Set only the parameters in ``values`` (the rest stay as stored, even if saved a
        moment ago) and record a "change" note saying so, in one transaction. The
        version moves on when something changed (an open Shop Master page is stale)."""

    # the Setup Library: read by every racer, changed only by who submitted a row
    def search_library(self, query: LibraryQuery) -> LibraryPage:
        """Newest first (date, then id); every word of ``query.text`` must start a word of
        the track, brand, vehicle, driver name or condition (case-insensitive)."""
    def get_library_baseline(self, baseline_id: int) -> LibraryBaseline | None: ...
    def library_facets(self) -> LibraryFacets: ...
    def existing_library_keys(self, keys: list[tuple]) -> set[tuple]:
        """Which (track, brand, vehicle, condition, date) keys are taken already."""
    def add_library_baselines(
        self, racer_id: str, items: list[tuple[Mapping[str, Any], Mapping[str, Value]]],
        *, request_key: str | None = None,
    ) -> list[LibraryBaseline] | None:
        """Add rows (fields, parameter values) credited to the racer: all or none.
        DuplicateError("track", …) when a key is taken; None for a used request key."""
    def update_library_baseline(
        self, racer_id: str, baseline_id: int, data: Mapping[str, Any],
        values: Mapping[str, Value], *, version: int | None = None,
    ) -> LibraryBaseline | None:
        """Only the submitter's own rows (None otherwise)."""
    def delete_library_baseline(self, racer_id: str, baseline_id: int) -> bool: ...
    def community_values(
        self, brand: str, vehicle: str, track: str = "", condition: str = ""
    ) -> list[dict[str, Value]]:
        """The parameter values of every library row for that car (exact, case-insensitive
        match; track and condition narrow it when given)."""
    def community_summary(
        self, brand: str, vehicle: str, track: str = "", condition: str = ""
    ) -> CommunitySummary:
        """What ``apex.community.summarize`` makes of those rows, made by
        ``apex.community.from_counts`` from value counts the writes keep per car (sql/0020
        on PostgreSQL; per parse on CSV), or, narrowed, counted from that car's rows there."""

    # the racer's notebook
    def add_track_log(self, racer_id: str, kind: str, note: str, *, track: str = "",
                      car: str = "", event: str = "", keywords: str = "") -> TrackLog: ...
    def list_track_logs(self, racer_id: str, *, car: str = "", limit: int = 50
                        ) -> list[TrackLog]:
        """Newest first."""

    # the race day: events, their setup and its changes, runs and laps, notes
    def start_event(
        self, racer_id: str, data: Mapping[str, Any], values: Mapping[str, Value],
        *, request_key: str | None = None,
    ) -> Event | None:
        """Create an event for ``data["car_id"]`` with its setup (``values``, version 1).
        LookupError if the car is not the racer's; DuplicateError("car_id", …) if the car
        has an active event already."""
    def get_event(self, racer_id: str, event_id: str) -> Event | None: ...
    def list_events(self, racer_id: str, *, active: bool | None = None, track: str = "",
                    condition: str = "", before: EventCursor | None = None,
                    limit: int | None = None) -> list[Event]:
        """Newest first (start date, then created, then id: ``apex.paging``); only the
        active (or the closed) ones when ``active`` is given, only those at ``track``
        in ``condition`` ("" = any, case ignored), only those older than ``before``,
        at most ``limit`` (None: all)."""
    def event_tracks(self, racer_id: str) -> list[str]:
        """Each track the racer has an event at, once (as last written), in name order."""
    def close_event(self, racer_id: str, event_id: str, end_date: date,
                    audit: Mapping[str, Any] | None = None) -> Event | None:
        """Mark it closed with its end date (not before its start) and record the
        ``audit`` (rating, symptom, gain, observation, best_lap), whose verdict goes to
        every accepted change that has none, all in one transaction. A closed event
        stays as it is (no second audit)."""
    def reopen_event(self, racer_id: str, event_id: str) -> Event | None:
        """Active again, end date cleared; DuplicateError("car_id", …) when the car has
        another active event. Audits and verdicts stay."""
    def get_audit(self, racer_id: str, event_id: str) -> Audit | None:
        """The latest audit of the event."""
    def event_history(self, racer_id: str, *, active: bool | None = None, track: str = "",
                      condition: str = "", before: EventCursor | None = None,
                      limit: int | None = None) -> list[EventRecord]:
        """The events ``list_events`` gives for the same arguments (every one by
        default), each with its runs and laps, changes and latest audit, in a few
        queries that read those events' rows only."""
    # stored figures (apex.figures): kept by every write that changes them
    def run_figures(self, racer_id: str, event_id: str) -> dict[str, RunStats | None]:
        """Run id -> its stored §5 figures (None: no clean lap), for the event's runs
        ({} for another racer's event): what ``lap_stats.event_run_stats`` gives."""
    def history_figures(self, racer_id: str, *, track: str = "", condition: str = "",
                        before: EventCursor | None = None,
                        limit: int | None = None) -> HistoryFigures:
        """The events ``list_events`` gives for the same arguments, their latest audits,
        ``run_figures`` rows and counted ``change_outcomes`` rows: the history list's
        lines, no lap read."""
    def tried_at(self, racer_id: str, track: str, condition: str = "", *,
                 leave_out: Sequence[str] = ()) -> list[TriedRow]:
        """"What worked here" summed per car, parameter and direction over the racer's
        events at ``track`` (and ``condition``; "" any), less the ``leave_out`` events:
        ``event_history.tried_here`` of those events' summaries, per car."""
    def best_top5(self, racer_id: str, car_id: str, track: str, *,
                  leave_out: Sequence[str] = ()) -> float | None:
        """The car's best top-5 average of a comparable run at ``track``, any condition,
        less the ``leave_out`` events (TUNING §3.7)."""
    def get_event_setup(self, racer_id: str, event_id: str) -> EventSetup | None: ...
    def edit_event_setup(
        self, racer_id: str, event_id: str, values: Mapping[str, Value], *, source: str,
        reason: str = "", version: int | None = None,
    ) -> SetupEdit | None:
        """Set the parameters in ``values`` (the rest stay) and record one accepted change
        per parameter that changed, all marked with the new version (bumped only when
        something changed). ``version`` is what the racer's page showed: another one
        stored raises StaleSetupError and changes nothing."""
    def list_changes(self, racer_id: str, event_id: str) -> list[SetupChange]:
        """Oldest first."""
    def revert_change(self, racer_id: str, change_id: str) -> SetupEdit | None:
        """Set the change's parameter back to its old value (recorded as a new change)
        and mark the change reverted (both ends of a pair: apex.race_rules.undo). None
        unless it is the racer's, accepted, and its parameter still holds its new value
        (a later change would be undone too)."""
    def propose_change(self, racer_id: str, event_id: str, parameter: str, value: Value,
                       reason: str, *, request_key: str | None = None, ask_id: str = "",
                       pair_id: str = "", temperature_ref: int | None = None
                       ) -> SetupChange | None:
        """A pending advisor proposal: the parameter's value now -> ``value``; ``ask_id``
        groups one ask's proposals, ``pair_id`` the two ends of a pair, and accepting it
        sets the setup's ``temperature_ref``. None for a used request key; LookupError if
        the event is not the racer's."""
    def accept_proposal(self, racer_id: str, change_id: str, *, bundle: bool = False
                        ) -> SetupEdit | None:
        """Apply a pending (or superseded) proposal to the event setup (a new version;
        apex.race_rules.accept): it becomes the accepted change, timed now. None unless
        it is the racer's and the parameter still holds the value it was proposed from;
        UntestedChangeError when a change waits for a run and ``bundle`` is not given."""
    def deny_proposal(self, racer_id: str, change_id: str) -> SetupChange | None:
        """Mark a pending proposal denied (not a failure: the advisor just won't repeat it)."""
    def fresh_tyres(self, racer_id: str, event_id: str) -> EventSetup | None:
        """A fresh set of the same tyres went on now (TUNING §2): the wear count starts
        again. None if the event is not the racer's."""
    def add_run(self, racer_id: str, event_id: str, name: str,
                *, request_key: str | None = None, run_id: str | None = None) -> Run | None:
        """A new run on the current setup version. LookupError if the event is not the
        racer's. ``run_id`` (a UUID made on the phone) becomes its id; an id any run has
        already -> DuplicateError, nothing written."""
    def list_runs(self, racer_id: str, event_id: str, *, laps: bool = True) -> list[Run]:
        """Oldest first, each with its laps (``laps=False``: none, for a page that shows
        one run's laps, read with ``get_run``, and the others' stored figures)."""
    def runs_with_figures(self, racer_id: str, event_id: str
                          ) -> tuple[list[Run], Mapping[str, RunStats | None]]:
        """``list_runs(laps=False)`` and ``run_figures`` read together (one query on
        PostgreSQL): Race Support's runs and their figures (each made when asked for)."""
    def get_run(self, racer_id: str, run_id: str) -> Run | None: ...
    def add_laps(self, racer_id: str, run_id: str, seconds: list[Decimal],
                 *, request_key: str | None = None) -> Run | None:
        """Append the laps after the run's last one; a used key adds nothing. The accepted
        changes its setup version had and that wait for a run get it as their
        ``run_after`` (a run without laps tests nothing). Returns the run as stored
        (None if it is not the racer's)."""
    def delete_lap(self, racer_id: str, run_id: str, lap_number: int) -> Run | None:
        """Remove the lap; the laps after it move up one number. Undoable for
        ``race_rules.UNDO_WINDOW`` (``restore_lap``): until then it is only marked,
        out of every read and export (apex.race_rules.lap_deletion)."""
    def restore_lap(self, racer_id: str, run_id: str, lap_number: int) -> Run | None:
        """Undo the latest delete of lap ``lap_number`` still in its undo window: the lap
        back in that place, the laps from there one number later. None when the run is
        not the racer's or there is nothing to undo."""
    def set_lap_flag(self, racer_id: str, run_id: str, lap_number: int, flag: str
                     ) -> Run | None:
        """The racer's own flag on a live lap (``apex.lap_stats.MANUAL_FLAGS``: "" /
        "out" / "in"; ValueError for anything else). A lap number the run does not have
        changes nothing. Returns the run as stored (None if it is not the racer's)."""
    def set_run_confidence(self, racer_id: str, run_id: str, confidence: int | None
                           ) -> Run | None: ...
    def add_event_log(
        self, racer_id: str, event_id: str, kind: str, note: str, *, run_id: str | None = None,
        keywords: str = "", request_key: str | None = None,
    ) -> TrackLog | None:
        """A note or symptom written at the event, with its track, car and event name.
        LookupError if the event (or run) is not the racer's; None for a used key."""
    def list_event_logs(self, racer_id: str, event_id: str, *, limit: int = 100
                        ) -> list[TrackLog]:
        """Newest first."""
    def delete_track_log(self, racer_id: str, log_id: str) -> bool:
        """Delete the racer's note, undoable for ``race_rules.UNDO_WINDOW``
        (``restore_track_log``); out of every read and export from now on."""
    def restore_track_log(self, racer_id: str, log_id: str) -> TrackLog | None:
        """The deleted note back exactly as it was; None unless it is the racer's and
        deleted within the undo window."""
    def page_track_logs(
        self, racer_id: str, *, event_id: str = "", car_id: str = "",
        before: tuple[datetime, str] | None = None, limit: int = 20,
    ) -> list[TrackLog] | None:
        """Up to ``limit`` notes of the event (or of the car: its events' notes and its
        notebook entries), newest first by (timestamp, id), each older than ``before``
        (the last one of the page before). None when the event or car is not the
        racer's."""

    # the theory library: tuning documents shared by every racer (apex.theory)
    def add_theory_document(
        self, user_id: str, title: str, category: str, filename: str, content: str,
        *, request_key: str | None = None,
    ) -> TheoryDocument | None:
        """Store an uploaded document's text, credited to the user (``users.id``, not a
        racer id). LookupError for an unknown user; ValueError when the text has too many
        distinct words to index; None for a request key this user used."""
    def list_theory_documents(self, *, category: str = "") -> list[TheoryDocument]:
        """Newest first, ``content`` left ""; ``category`` narrows (case-insensitive)."""
    def get_theory_document(self, document_id: str) -> TheoryDocument | None: ...
    def delete_theory_document(self, user_id: str, document_id: str, *,
                               is_admin: bool = False) -> bool:
        """Only the uploader's own documents, or any with ``is_admin``."""
    def search_theory(self, text: str, *, limit: int = 5, category: str = ""
                      ) -> list[TheoryPassage]:
        """Documents matching ANY word of ``text`` (apex.theory.query_words), best first,
        each with a snippet whose hits are marked."""

    # whole tables (import, export) and accounts (CLI): not racer-scoped, never from a view
    def dump_tables(self) -> Rows:
        """Every row of every data table, with the types of ``apex.tables.column_kind``."""
    def import_rows(self, incoming: Rows, *, dry_run: bool = False) -> Report:
        """Plan ``incoming`` against the stored rows (``apex.transfer.plan``) and apply it,
        all in one transaction; a dry run applies nothing. Raises ImportFailed."""
    def export_racer(self, racer_id: str) -> Rows:
        """Every row of the racer, and nobody else's, secrets blanked
        (apex.transfer.racer.own_rows): their data export."""
    def delete_account(self, user_id: str) -> bool:
        """The user and everything they own; shared library baselines stay, anonymised
        (apex.car_rules.anonymised)."""
    def set_admin(self, user_id: str, is_admin: bool) -> bool: ...
    def set_password(self, user_id: str, password_hash: str) -> bool:
        """The new password; it also moves the session generation on, so every login
        made before (sessions, remember cookies, copies of them) ends."""
    def revoke_sessions(self, user_id: str) -> int | None:
        """Move the user's session generation on (apex/login_session.py): every session
        and remember cookie issued before stops working. The new generation, or None
        for an unknown user."""
