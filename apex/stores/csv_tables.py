"""The file layer of the CSV store: one UTF-8 file per table, read and written safely.

Why it is built this way (apex.stores.csv builds the ``Store`` methods on it):
- Each store method is one transaction: it holds a process-wide ``RLock``
  (threads) and an exclusive ``flock`` on ``.lock`` (other processes, e.g.
  gunicorn workers), so it reads and leaves a consistent set of files.
- A table is rewritten into a temp file in the same folder, fsynced, then
  ``os.replace``d over the old one: a crash leaves the old or the new file,
  never half of one.
- Parsed tables are cached per file stat, so an unchanged file is not
  re-parsed while another process's ``os.replace`` is seen at once.
- A column a file has beyond ``apex.tables`` (a parameter the catalogue dropped)
  is kept: its cells ride along, by row id, through every rewrite of the table.
"""

from __future__ import annotations

import csv
import fcntl
import functools
import os
import tempfile
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, suppress
from pathlib import Path
from typing import Any, TypeVar

from apex.tables import TABLES, from_text, to_text

Row = dict[str, Any]
T = TypeVar("T")
# Columns beyond apex.tables in a file, and their cells by row id.
Kept = tuple[tuple[str, ...], dict[str, dict[str, str]]]
_NONE_KEPT: Kept = ((), {})

# One lock for every CsvStore of the process (threads); the flock covers processes.
_lock = threading.RLock()
_depth = 0  # how deep the thread holding _lock is in _transaction


def _reset_after_fork() -> None:
    """A forked child must not inherit a lock held by a thread it does not have."""
    global _lock, _depth
    _lock, _depth = threading.RLock(), 0


os.register_at_fork(after_in_child=_reset_after_fork)


@contextmanager
def _transaction(lock_path: Path) -> Iterator[None]:
    """Hold the process lock and the folder's flock; re-entrant within a thread."""
    global _depth
    with _lock:
        fd = None
        if _depth == 0:  # opened per transaction, never kept: a fork must not share it
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        _depth += 1
        try:
            if fd is not None:
                fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            _depth -= 1
            if fd is not None:
                os.close(fd)  # closing releases the flock


def _parse_row(table: str, raw: Mapping[str, str | None]) -> Row:
    """Cell text -> Python values; the only place that reads a CSV cell."""
    return {col: from_text(table, col, raw.get(col)) for col in TABLES[table]}


def _format_row(table: str, row: Mapping[str, Any]) -> dict[str, str]:
    """Python values -> cell text; the only place that writes a CSV cell."""
    return {col: to_text(table, col, row.get(col)) for col in TABLES[table]}


def locked(method: Callable[..., T]) -> Callable[..., T]:
    """A store method as one transaction of its ``_tables`` (every CsvStore method)."""
    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> T:
        with self._tables.transaction():
            return method(self, *args, **kwargs)

    return wrapper


class CsvTables:
    """The table files in ``data_dir``: whole-table reads and atomic rewrites."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self._cache: dict[str, tuple[tuple[int, int, int], list[Row], Kept]] = {}

    def transaction(self) -> AbstractContextManager[None]:
        """The process lock and this folder's flock (see the module docstring)."""
        return _transaction(self.data_dir / ".lock")

    def path(self, table: str) -> Path:
        return self.data_dir / f"{table}.csv"

    def read(self, table: str) -> list[Row]:
        """Parsed rows, shared with the cache: never mutate them."""
        try:
            f = open(self.path(table), newline="", encoding="utf-8")
        except FileNotFoundError:
            return []
        with f:
            st = os.fstat(f.fileno())
            key = (st.st_ino, st.st_mtime_ns, st.st_size)
            hit = self._cache.get(table)
            if hit is not None and hit[0] == key:
                return hit[1]
            reader = csv.DictReader(f, restval="")
            raws = list(reader)
        extra = tuple(c for c in reader.fieldnames or () if c not in TABLES[table])
        kept = (extra, {raw.get("id") or "": {c: raw.get(c) or "" for c in extra}
                        for raw in raws}) if extra else _NONE_KEPT
        rows = [_parse_row(table, raw) for raw in raws]
        self._cache[table] = (key, rows, kept)
        return rows

    def kept(self, table: str) -> Kept:
        """The file's columns beyond apex.tables and their cells (see the module doc)."""
        self.read(table)
        hit = self._cache.get(table)
        return _NONE_KEPT if hit is None else hit[2]

    def _cells(self, table: str, rows: list[Row]) -> tuple[list[Mapping[str, str]], Kept]:
        extra, by_id = kept = self.kept(table)
        cells: list[Mapping[str, str]] = [_format_row(table, r) for r in rows]
        if extra:
            cells = [{**by_id.get(str(r.get("id")), {}), **c}
                     for r, c in zip(rows, cells, strict=True)]
        return cells, kept

    def write(self, table: str, rows: list[Row]) -> None:
        cells, (extra, _) = self._cells(table, rows)
        self.write_cells(table, cells, extra)

    def write_all(self, tables: Mapping[str, list[Row]]) -> None:
        """Rewrite several tables as nearly all-or-nothing as files allow.

        Every cell is formatted (and so checked) and every temp file written and
        fsynced before the first ``os.replace``: a full disk or a bad value leaves all
        tables as they were. Only a crash between the renames, parents first, can
        leave some tables new, and then no row points nowhere.
        """
        cells = {t: self._cells(t, rows) for t, rows in tables.items()}
        ready: dict[str, str] = {}
        try:
            for table, (table_cells, (extra, _)) in cells.items():
                ready[table] = self._temp_file(table, table_cells, extra)
            for table, tmp in ready.items():
                os.replace(tmp, self.path(table))
                self._cache.pop(table, None)
                ready[table] = ""
        finally:
            for tmp in ready.values():
                if tmp:
                    with suppress(FileNotFoundError):
                        os.unlink(tmp)
        self._fsync_folder()

    def write_cells(
        self, table: str, cells: Sequence[Mapping[str, str]], extra: Sequence[str] = ()
    ) -> None:
        """Replace the table atomically: temp file, fsync, os.replace, fsync the folder.
        ``extra``: columns kept beyond apex.tables, written after them."""
        tmp = self._temp_file(table, cells, extra)
        done = False
        try:
            os.replace(tmp, self.path(table))
            done = True
        finally:
            self._cache.pop(table, None)
            if not done:
                with suppress(FileNotFoundError):
                    os.unlink(tmp)
        self._fsync_folder()

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

    def header(self, table: str) -> list[str] | None:
        try:
            with open(self.path(table), newline="", encoding="utf-8") as f:
                return next(csv.reader(f), [])
        except FileNotFoundError:
            return None

    def first(self, table: str, **match: Any) -> Row | None:
        return next((r for r in self.read(table) if r.items() >= match.items()), None)

    def insert(self, table: str, row: Row) -> None:
        self.write(table, [*self.read(table), row])

    def replace(self, table: str, new: Row) -> None:
        self.write(table, [new if r["id"] == new["id"] else r for r in self.read(table)])

    def remove(self, table: str, **match: Any) -> bool:
        rows = self.read(table)
        keep = [r for r in rows if not r.items() >= match.items()]
        if len(keep) < len(rows):
            self.write(table, keep)
        return len(keep) < len(rows)
