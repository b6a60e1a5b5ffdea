"""Moving data between stores and from the old app: ``flask db import-csv`` / ``export-csv``.

Data travels as ``Rows``: table name -> list of rows, each a dict of column ->
Python value with the types of ``apex.tables.column_kind`` (the same types both
stores hand out), so rows from a CSV folder and from PostgreSQL compare equal.

- ``readers``: a folder in the old app's layout or in APEX's CSV-store layout -> Rows,
  every value checked against the catalogue; bad rows reported with file and line.
- ``plan``: incoming Rows against what a store holds -> what to create, update or
  leave, matched on natural keys so a second run changes nothing.
- The stores apply a plan in one transaction (``Store.import_rows``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Row = dict[str, Any]
Rows = dict[str, list[Row]]


@dataclass(frozen=True)
class RowError:
    """Why one input row cannot be imported."""

    file: str
    line: int  # 1-based line in the file, the header being line 1
    reason: str

    def __str__(self) -> str:
        return f"{self.file}, line {self.line}: {self.reason}"


class ImportFailed(Exception):
    """The input has bad rows: nothing was imported."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


@dataclass
class TableCount:
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class Report:
    """What an import did (or, in a dry run, would do), per table."""

    counts: dict[str, TableCount] = field(default_factory=dict)
    dry_run: bool = False

    @property
    def changed(self) -> bool:
        return any(c.created or c.updated for c in self.counts.values())
