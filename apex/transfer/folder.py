"""Read an import folder: tell APEX's CSV-store layout from the old app's, then read it.

The layout is detected from the files, never guessed from the folder's name;
``readers`` reads APEX's layout, ``legacy`` the old app's.
"""

from __future__ import annotations

import csv
from pathlib import Path

from apex.models import User
from apex.stores import csv_journal
from apex.stores.csv import CsvStore
from apex.tables import TABLES
from apex.transfer import ImportFailed, RowError, Rows
from apex.transfer.legacy import read_legacy
from apex.transfer.readers import read_apex

# The old app's files, each with a column APEX's file of the same name does not have.
LEGACY_MARKERS: dict[str, str] = {
    "racer_profiles.csv": "profile_id",
    "car_configs.csv": "Car",
    "master_library.csv": "Track",
    "track_logs.csv": "Notes",
}
NOT_AN_EXPORT = "not an APEX or old-app export"


def read_folder(folder: Path, owner: User | None,
                warnings: list[RowError] | None = None) -> Rows:
    """The folder's tables as Rows, or ImportFailed listing every bad row of every file.

    ``owner`` receives an old-app export (which has one nameless profile); it is
    required for that layout and ignored for APEX's own layout. ``warnings`` gets what
    was read but not as written (an old file's ``N/A`` read as blank), file order.
    """
    folder = Path(folder)
    errors: list[RowError] = []
    if _layout(folder) == "apex":
        if (folder / csv_journal.NAME).exists():  # a CSV store's folder: writes not yet
            CsvStore(folder).compact()  # in its table files are; fold them in (same data)
        rows = read_apex(folder, errors)
    else:
        if owner is None:
            raise ImportFailed([RowError(
                _label(folder), 0, "this is an old-app export: name the account that receives "
                "its profile, cars and logs with --owner USERNAME")])
        rows = read_legacy(folder, owner, errors, warnings)
    if errors:
        rank: dict[str, int] = {}
        for e in errors:
            rank.setdefault(e.file, len(rank))
        raise ImportFailed(sorted(errors, key=lambda e: (rank[e.file], e.line)))
    return rows


def _layout(folder: Path) -> str:
    """``apex`` or ``legacy``; ImportFailed when the folder is neither."""
    def fail(why: str) -> ImportFailed:
        return ImportFailed([RowError(_label(folder), 0, f"{NOT_AN_EXPORT}: {why}")])

    if not folder.is_dir():
        raise fail(f"{folder} is not a folder")
    users = folder / "users.csv"
    if users.is_file():
        header = _header(users)
        if set(header) != set(TABLES["users"]):
            raise fail(f"users.csv has the columns {', '.join(header) or '(none)'}, "
                       f"not APEX's {', '.join(TABLES['users'])}")
        return "apex"
    present = [name for name in LEGACY_MARKERS if (folder / name).is_file()]
    if not present:
        raise fail(f"it has no users.csv (APEX) and none of {', '.join(LEGACY_MARKERS)} "
                   "(old app)")
    odd = [n for n in present if LEGACY_MARKERS[n] not in _header(folder / n)]
    if odd:
        raise fail("no users.csv (APEX), and " + "; ".join(
            f"{n} has no {LEGACY_MARKERS[n]} column (old app)" for n in odd))
    return "legacy"


def _label(folder: Path) -> str:
    """The folder's name for a RowError (``.`` has none: use its real name)."""
    return folder.name or folder.resolve().name or str(folder)


def _header(path: Path) -> list[str]:
    """The first row's column names; only used to detect the layout."""
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as f:
        try:
            return [name.strip() for name in next(csv.reader(f), [])]
        except csv.Error:
            return []
