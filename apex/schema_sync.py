"""What ``db upgrade`` did to a store, and the one rule for setup columns.

Both stores bring every setup-bearing table (``apex.tables.SETUP_TABLES``) up to
the catalogue: a parameter added to ``apex/catalogue.py`` becomes a column, and a
column the catalogue no longer has is reported and kept (never dropped: its values
may be the only copy). Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from apex.tables import RETIRED, TABLES, from_text, to_text

NOTHING_TO_DO = "nothing to do: schema is up to date"


@dataclass
class SchemaReport:
    """One upgrade: migrations applied, files created, columns added, columns kept."""

    applied: list[str] = field(default_factory=list)  # migration files (PostgreSQL)
    created: list[str] = field(default_factory=list)  # table files (CSV)
    added: list[tuple[str, str]] = field(default_factory=list)  # (table, column)
    kept: list[tuple[str, str]] = field(default_factory=list)  # (table, column)
    dropped: list[tuple[str, str]] = field(default_factory=list)  # retired (CSV)

    @property
    def changed(self) -> bool:
        """Whether the upgrade changed anything (kept columns change nothing)."""
        return bool(self.applied or self.created or self.added or self.dropped)

    def lines(self) -> list[str]:
        """The report as ``flask db upgrade`` prints it, one line each."""
        lines = [f"applied  {name}" for name in self.applied]
        lines += [f"created  {name}" for name in self.created]
        lines += [f"added column {t}.{c}" for t, c in self.added]
        lines += [f"dropped retired column {t}.{c}" for t, c in self.dropped]
        lines += [f"column {c} in {t} is not in the catalogue: kept" for t, c in self.kept]
        if not self.changed:
            lines.append(NOTHING_TO_DO)
        return lines


def column_changes(table: str, present: Iterable[str]) -> tuple[list[str], list[str]]:
    """(missing, extra): the table's columns not in ``present``, in table order, and the
    columns ``present`` has beyond the table's, in their order (retired ones left out:
    ``retired_columns``)."""
    have = list(present)
    wanted = TABLES[table]
    return ([c for c in wanted if c not in have],
            [c for c in have if c not in wanted and c not in RETIRED.get(table, ())])


def retired_columns(table: str, present: Iterable[str]) -> list[str]:
    """The columns of ``present`` this version retired (apex.tables.RETIRED)."""
    return [c for c in present if c in RETIRED.get(table, ())]


def empty_cells(table: str, columns: Iterable[str]) -> dict[str, str]:
    """CSV cells of columns new to a file, as an empty cell reads ("nitro" for a power)."""
    return {c: to_text(table, c, from_text(table, c, "")) for c in columns}
