"""The file layer of the CSV store: one UTF-8 file per table plus a journal.

Why it is built this way (apex.stores.csv builds the ``Store`` methods on it):
- Each store method is one transaction: it holds a process-wide ``RLock``
  (threads) and an exclusive ``flock`` on ``.lock`` (other processes, e.g.
  gunicorn workers), so it reads and leaves a consistent set of files
  (apex.stores.csv_lock; cells and row keys: apex.stores.csv_rows).
- A write costs what it touches: inside a transaction changes are kept in memory
  (reads see them) and at its end appended to the journal as ONE fsynced record
  (apex.stores.csv_journal), a row and its request key together. An exception
  writes nothing.
- Changes are whole-row upserts and deletes by key, so replaying them twice is
  harmless. When the journal has grown (``COMPACT_BYTES``, and at least half the
  table files it would rewrite, so rewriting costs at most twice what was
  appended) its tables are rewritten atomically (temp file, fsync, os.replace) and
  the journal deleted: the folder is plain CSV tables again. A crash in between
  replays onto the new tables and changes nothing.
- Another process's writes are seen at once: each transaction reads the journal's
  new records only; another journal (a compaction deletes it, and the next write
  starts one with a new random header) drops the cache. A table file is re-parsed
  only when its stat changes (an upgrade, a hand edit), then the journal's changes
  are laid on it again.
- Temp files are made only under the lock, so any found by the first transaction
  of a process are a crash's orphans and are removed.
- A column a file has beyond ``apex.tables`` (a parameter the catalogue dropped)
  is kept: its cells ride along, by row id, through every rewrite of the table.
"""

from __future__ import annotations

import csv
import logging
import os
import tempfile
from collections.abc import Hashable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from apex.stores import csv_journal
from apex.stores.csv_journal import DELETE, PUT, Change
from apex.stores.csv_lock import transaction
from apex.stores.csv_rows import (
    Row,
    format_row,
    fresh_request_keys,
    key_columns,
    parse_row,
    row_key,
)
from apex.tables import TABLES, from_text, to_text

_log = logging.getLogger(__name__)
# Columns beyond apex.tables in a file, and their cells by row id.
Kept = tuple[tuple[str, ...], dict[str, dict[str, str]]]
_NONE_KEPT: Kept = ((), {})
# A journal past this size is compacted (if also half the size of the tables it
# rewrites): replaying it at start-up stays well under a second. APEX_CSV_COMPACT_BYTES
# sets a plain limit instead (the crash test makes it small: kills land in compactions).
COMPACT_BYTES = 4 << 20

@dataclass
class _Table:
    """One table as this process sees it: its file's rows with the journal laid on."""

    stat: tuple[int, int, int] | None  # the file's (inode, mtime, size) when parsed
    rows: dict[Hashable, Row]  # by key, in file order, new rows last
    kept: Kept
    listed: list[Row] | None = None  # read()'s list until the rows change
    # column -> value -> {key: row}: ``where``'s indexes, kept in step by ``_apply`` so
    # a write costs one entry, not a rebuild (a run's laps among 120 000).
    groups: dict[str, dict[Any, dict[Hashable, Row]]] = field(default_factory=dict)


def _file_stat(path: Path) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


class CsvTables:
    """The table files and journal in ``data_dir`` (see the module docstring)."""

    def __init__(self, data_dir: Path, *, compact_bytes: int | None = None) -> None:
        self.data_dir = Path(data_dir)
        # Compact past this many journal bytes; None: past COMPACT_BYTES, and only once
        # the journal is half the size of the tables it rewrites.
        self._compact_bytes = compact_bytes
        self._tables: dict[str, _Table] = {}
        self._logged: dict[str, list[Change]] = {}  # the journal's changes, by table
        # The journal's (header, end of its last whole record) as this process has read it.
        self._journal: tuple[bytes, int] | None = None
        self._pending: list[Change] = []  # this transaction's changes
        self._touched: set[str] = set()
        self._checked: set[str] = set()  # tables whose file was stat'ed this transaction
        self._depth = 0
        self._pid: int | None = None  # the process that uses (and swept) the folder

    # -- transactions -----------------------------------------------------------

    def transaction(self) -> AbstractContextManager[None]:
        """The locks (see the module docstring); the outermost one commits or rolls back."""
        return self._transaction()

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        with transaction(self.data_dir / ".lock"):
            if self._pid != os.getpid():  # first use in this process: temp files are
                self._pid = os.getpid()  # made only under the lock we now hold, so any
                self._sweep()  # there are a crash's
            outer = self._depth == 0
            self._depth += 1
            try:
                if outer:
                    self._begin()
                yield
                if outer:
                    self._commit()
            except BaseException:
                if outer:
                    self._rollback()
                raise
            finally:
                self._depth -= 1

    def _begin(self) -> None:
        self._checked.clear()
        self._catch_up()

    def _sweep(self) -> None:
        """Remove temp files a crash left (they are only made under the lock we hold)."""
        for tmp in self.data_dir.glob(".*.tmp"):
            with suppress(FileNotFoundError):
                tmp.unlink()

    def _catch_up(self) -> None:
        """Lay the journal's records not seen yet on the cached tables."""
        try:
            f = open(self.journal_path, "rb")
        except FileNotFoundError:
            if self._journal is not None:  # compacted since: nothing cached holds
                self._drop_all()
            return
        with f:
            head = f.read(csv_journal.HEADER_SIZE)
            size = os.fstat(f.fileno()).st_size
            if not csv_journal.is_header(head):  # a crash while it was being made
                if self._journal is not None:
                    self._drop_all()
                return
            start = csv_journal.HEADER_SIZE
            if self._journal is None or self._journal[0] != head or size < self._journal[1]:
                self._drop_all()  # another journal than the one cached: start again
            else:
                start = self._journal[1]
            if size > start:
                f.seek(start)
                found, used = csv_journal.records(f.read())
                for changes in found:
                    self._logged_changes(changes)
                start += used
            self._journal = (head, start)

    def _drop_all(self) -> None:
        """Forget the journal read so far and the tables it changed. A table it did not
        change is the file as parsed (its stat says if the file changed since)."""
        for name in self._logged:
            self._tables.pop(name, None)
        self._logged.clear()
        self._journal = None

    def _logged_changes(self, changes: list[Change]) -> None:
        for change in changes:
            self._logged.setdefault(change[1], []).append(change)
            table = self._tables.get(change[1])
            if table is not None:
                _apply(table, change)

    def _rollback(self) -> None:
        for name in self._touched:  # reloaded from the files and journal when next read
            self._tables.pop(name, None)
        self._pending.clear()
        self._touched.clear()

    def _commit(self) -> None:
        if not self._pending:
            return
        self._journal = self._append(csv_journal.record(self._pending))
        for change in self._pending:
            self._logged.setdefault(change[1], []).append(change)
        self._pending.clear()
        self._touched.clear()
        if (self._journal[1] >= self._compact_bytes if self._compact_bytes is not None
                else self._journal[1] >= COMPACT_BYTES and self._worth_compacting()):
            try:
                self.compact()
            except OSError:  # the write is in the journal already: it stands, and the
                _log.exception("compacting %s failed", self.data_dir)  # next one retries

    def _append(self, data: bytes) -> tuple[bytes, int]:
        """Append one record after the last whole one, fsynced; the journal's new
        (header, end). No journal yet: a new one, with a new header."""
        fd = os.open(self.journal_path, os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            if self._journal is None:
                head, start = csv_journal.header(), 0
                data = head + data
            else:
                head, start = self._journal
            if os.fstat(fd).st_size != start:  # a torn record a crashed writer left: cut
                os.ftruncate(fd, start)
            view, at = memoryview(data), start
            while view:
                n = os.pwrite(fd, view, at)
                view, at = view[n:], at + n
            os.fsync(fd)
        finally:
            os.close(fd)
        if self._journal is None:
            self._fsync_folder()  # the new file's name must last too
        return head, start + len(data)

    @property
    def journal_path(self) -> Path:
        return self.data_dir / csv_journal.NAME

    # -- compaction ----------------------------------------------------------------

    def _worth_compacting(self) -> bool:
        assert self._journal is not None
        sizes = sum((_file_stat(self.path(t)) or (0, 0, 0))[2] for t in self._logged)
        return self._journal[1] * 2 >= sizes

    def compact(self) -> None:
        """Rewrite the tables the journal changed, then delete the journal (the next
        write starts a new one, with a new header).

        Request keys past REQUEST_KEY_DAYS are dropped here, not on every write."""
        with self.transaction():
            if self._pending:  # a direct rewrite inside a transaction: its changes first
                self._commit()
            if self._journal is None or not self._logged:
                return
            now = datetime.now(UTC)
            tables = {name: list(self._table(name).rows.values()) for name in self._logged}
            if "request_keys" in tables:
                tables["request_keys"] = fresh_request_keys(tables["request_keys"], now)
            self._rewrite(tables)
            os.unlink(self.journal_path)  # a crash before this replays onto the new files
            self._fsync_folder()
            self._logged.clear()
            self._journal = None
            for name, rows in tables.items():
                kept = self._tables[name].kept
                self._tables[name] = _Table(_file_stat(self.path(name)),
                                            {row_key(name, r): r for r in rows}, kept)

    def _rewrite(self, tables: Mapping[str, list[Row]]) -> None:
        """Rewrite table files as nearly all-or-nothing as files allow.

        Every temp file is written and fsynced before the first ``os.replace``; a crash
        between the renames leaves tables the journal's replay brings level again.
        """
        cells = {t: self._cells(t, rows) for t, rows in tables.items()}
        ready: dict[str, str] = {}
        try:
            for table, (table_cells, (extra, _)) in cells.items():
                ready[table] = self._temp_file(table, table_cells, extra)
            for table, tmp in ready.items():
                os.replace(tmp, self.path(table))
                ready[table] = ""
        finally:
            for tmp in ready.values():
                if tmp:
                    with suppress(FileNotFoundError):
                        os.unlink(tmp)
        self._fsync_folder()

    # -- reading -------------------------------------------------------------------

    def path(self, table: str) -> Path:
        return self.data_dir / f"{table}.csv"

    def _table(self, name: str) -> _Table:
        """The table, parsed again only if its file changed (checked once a transaction)."""
        table = self._tables.get(name)
        if name not in self._checked:
            stat = _file_stat(self.path(name))
            if table is None or table.stat != stat:
                table = self._tables[name] = self._load(name)
            self._checked.add(name)
        assert table is not None
        return table

    def _load(self, name: str) -> _Table:
        try:
            f = open(self.path(name), newline="", encoding="utf-8")
        except FileNotFoundError:
            table = _Table(None, {}, _NONE_KEPT)
        else:
            with f:
                st = os.fstat(f.fileno())
                reader = csv.DictReader(f, restval="")
                raws = list(reader)
            extra = tuple(c for c in reader.fieldnames or () if c not in TABLES[name])
            kept = (extra, {raw.get("id") or "": {c: raw.get(c) or "" for c in extra}
                            for raw in raws}) if extra else _NONE_KEPT
            rows = (parse_row(name, raw) for raw in raws)
            table = _Table((st.st_ino, st.st_mtime_ns, st.st_size),
                           {row_key(name, r): r for r in rows}, kept)
        for change in self._logged.get(name, ()):
            _apply(table, change)
        return table

    def read(self, table: str) -> list[Row]:
        """Parsed rows, shared with the cache: never mutate them."""
        with self.transaction():
            return self._listed(self._table(table))

    @staticmethod
    def _listed(table: _Table) -> list[Row]:
        if table.listed is None:
            table.listed = list(table.rows.values())
        return table.listed

    def where(self, table: str, column: str, value: Any) -> list[Row]:
        """The rows whose ``column`` is ``value``, in the table's order (a row whose
        ``column`` changed goes last), by an index built at the first call and kept in
        step by every change after it (never mutate the rows)."""
        with self.transaction():
            t = self._table(table)
            index = t.groups.get(column)
            if index is None:
                index = t.groups[column] = {}
                for key, row in t.rows.items():
                    index.setdefault(row.get(column), {})[key] = row
            return list(index.get(value, {}).values())

    def kept(self, table: str) -> Kept:
        """The file's columns beyond apex.tables and their cells (see the module doc)."""
        with self.transaction():
            return self._table(table).kept

    def header(self, table: str) -> list[str] | None:
        try:
            with open(self.path(table), newline="", encoding="utf-8") as f:
                return next(csv.reader(f), [])
        except FileNotFoundError:
            return None

    def first(self, table: str, **match: Any) -> Row | None:
        """The first row with these values; by key at once when ``match`` holds it."""
        with self.transaction():
            rows = self._table(table).rows
            if set(key_columns(table)) <= match.keys():
                row = rows.get(row_key(table, match))
                return row if row is not None and row.items() >= match.items() else None
            return next((r for r in rows.values() if r.items() >= match.items()), None)

    # -- writing (changes kept until the transaction ends) ----------------------------

    def _put(self, name: str, table: _Table, row: Row) -> None:
        """Format (and so check) the row now; keep it as its cells would read back."""
        cells = format_row(name, row)
        _apply(table, (PUT, name, cells), parse_row(name, cells))
        self._pending.append((PUT, name, cells))
        self._touched.add(name)

    def _delete(self, name: str, table: _Table, key: Hashable) -> None:
        row = table.rows[key]
        change = (DELETE, name, {c: to_text(name, c, row.get(c)) for c in key_columns(name)})
        _apply(table, change)
        self._pending.append(change)
        self._touched.add(name)

    def write(self, table: str, rows: list[Row]) -> None:
        """Make the table ``rows``: only rows that differ from the cached ones are changes."""
        with self.transaction():
            t = self._table(table)
            listed = self._listed(t)
            if rows[:len(listed)] == listed:  # the usual: rows kept as read, some added
                for row in rows[len(listed):]:  # (compared in C, by identity first)
                    self._put_if_new(table, t, row)
                return
            current, before, matched = t.rows, len(t.rows), 0
            for row in rows:
                matched += row_key(table, row) in current
                self._put_if_new(table, t, row)
            if matched < before:  # some rows were left out: they go
                wanted = {row_key(table, r) for r in rows}
                for key in [k for k in current if k not in wanted]:
                    self._delete(table, t, key)

    def _put_if_new(self, name: str, table: _Table, row: Row) -> None:
        old = table.rows.get(row_key(name, row))
        if old is not row and old != row:
            self._put(name, table, row)

    def write_all(self, tables: Mapping[str, list[Row]]) -> None:
        """Several tables in one transaction: all of them in its one journal record."""
        with self.transaction():
            for table, rows in tables.items():
                self.write(table, rows)

    def set_where(self, table: str, column: str, value: Any, rows: Sequence[Row]) -> None:
        """Make the rows whose ``column`` is ``value`` exactly ``rows`` (each with that
        value): only the rows that differ are written, the others left out are deleted."""
        with self.transaction():
            old = {row_key(table, r) for r in self.where(table, column, value)}
            t = self._table(table)
            for row in rows:
                old.discard(row_key(table, row))
                self._put_if_new(table, t, row)
            for key in old:
                self._delete(table, t, key)

    def insert(self, table: str, row: Row) -> None:
        with self.transaction():
            self._put(table, self._table(table), row)

    def replace(self, table: str, new: Row) -> None:
        """The row with ``new``'s key becomes ``new``; no such row, nothing changes."""
        with self.transaction():
            t = self._table(table)
            if row_key(table, new) in t.rows:
                self._put(table, t, new)

    def remove(self, table: str, **match: Any) -> bool:
        with self.transaction():
            t = self._table(table)
            gone = [k for k, r in t.rows.items() if r.items() >= match.items()]
            for key in gone:
                self._delete(table, t, key)
            return bool(gone)

    # -- whole files (upgrades) --------------------------------------------------------

    def write_cells(
        self, table: str, cells: Sequence[Mapping[str, str]], extra: Sequence[str] = ()
    ) -> None:
        """Replace the table file atomically: temp file, fsync, os.replace, fsync the
        folder. The journal is compacted first, so the file is the whole table.
        ``extra``: columns kept beyond apex.tables, written after them."""
        with self.transaction():
            self.compact()
            tmp = self._temp_file(table, cells, extra)
            try:
                os.replace(tmp, self.path(table))
            except BaseException:
                with suppress(FileNotFoundError):
                    os.unlink(tmp)
                raise
            finally:
                self._tables.pop(table, None)
                self._checked.discard(table)
            self._fsync_folder()

    def _cells(self, table: str, rows: list[Row]) -> tuple[list[Mapping[str, str]], Kept]:
        extra, by_id = kept = self._table(table).kept
        cells: list[Mapping[str, str]] = [format_row(table, r) for r in rows]
        if extra:
            cells = [{**by_id.get(str(r.get("id")), {}), **c}
                     for r, c in zip(rows, cells, strict=True)]
        return cells, kept

    def _temp_file(
        self, table: str, cells: Sequence[Mapping[str, str]], extra: Sequence[str] = ()
    ) -> str:
        """The table's new content in a synced temp file beside it (removed on failure)."""
        with tempfile.NamedTemporaryFile(
            "w", dir=self.data_dir, prefix=f".{table}.", suffix=".tmp",
            delete=False, newline="", encoding="utf-8",
        ) as f:
            try:
                header = [*TABLES[table], *extra]
                writer = csv.DictWriter(f, header, restval="", extrasaction="ignore")
                writer.writeheader()
                writer.writerows(cells)
                f.flush()
                os.fsync(f.fileno())
            except BaseException:
                f.close()
                os.unlink(f.name)
                raise
        return f.name

    def _fsync_folder(self) -> None:
        dir_fd = os.open(self.data_dir, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def _apply(table: _Table, change: Change, row: Row | None = None) -> None:
    """Lay one change on a table: an upsert keeps the row's place, a delete of a row
    that is gone does nothing (so a replay twice changes nothing)."""
    kind, name, cells = change
    if kind == PUT:
        row = row if row is not None else parse_row(name, cells)
        key = row_key(name, row)
        old = table.rows.get(key)
        table.rows[key] = row
        for column, index in table.groups.items():
            if old is not None and old.get(column) != row.get(column):
                _unindex(index, key, old.get(column))
            # An update in place keeps the row's place in its group, as in the table.
            index.setdefault(row.get(column), {})[key] = row
    elif kind == DELETE:
        key = row_key(name, {c: from_text(name, c, cells.get(c)) for c in key_columns(name)})
        if (gone := table.rows.pop(key, None)) is not None:
            for column, index in table.groups.items():
                _unindex(index, key, gone.get(column))
    table.listed = None


def _unindex(index: dict[Any, dict[Hashable, Row]], key: Hashable, value: Any) -> None:
    """Take the row stored under ``key`` out of ``value``'s group of an index."""
    group = index.get(value)
    if group is not None:
        group.pop(key, None)
        if not group:
            del index[value]
