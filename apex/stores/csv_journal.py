"""The CSV store's journal file: one framed, checksummed record per transaction.

Why (apex.stores.csv_tables writes and replays it):
- A transaction's every change, a row and its request key alike, is ONE record
  appended and fsynced at once: a crash leaves all of it or none of it, so a
  retried request finds its key exactly when its row is there.
- The file starts with ``#APEXJ <random hex>``, its generation (see ``header``).
- A record is a header line ``#APEX1 <payload bytes> <crc32 hex>`` and a CSV
  payload, one line per change: ``put,<table>,<every cell>`` or
  ``del,<table>,<the row's key cells>``, each kind of change to a table first
  naming its columns (``cols,put,<table>,<names>``): a record written before an
  upgrade added a column still reads right. A record cut short by a crash, or one
  whose checksum fails, ends the journal: it and anything after it are ignored
  (and cut off by the next writer, who holds the lock).
"""

from __future__ import annotations

import csv
import io
import uuid
import zlib
from collections.abc import Iterable, Iterator, Mapping

NAME = "journal.log"
MAGIC = b"#APEX1 "
# The file's first line names this journal: a compaction deletes the file and the
# next write starts a new one, which may get the old inode number, never its name.
HEADER_SIZE = 40
PUT, DELETE, COLUMNS = "put", "del", "cols"
# One change: (PUT or DELETE, table, cells by column). A put carries every column of
# the table, a delete the key columns (see csv_rows.key_columns).
Change = tuple[str, str, Mapping[str, str]]


def header() -> bytes:
    """A new journal's first line: ``#APEXJ`` and 32 random hex digits."""
    return b"#APEXJ %s\n" % uuid.uuid4().hex.encode()


def is_header(data: bytes) -> bool:
    return len(data) == HEADER_SIZE and data.startswith(b"#APEXJ ") and data.endswith(b"\n")


def record(changes: Iterable[Change]) -> bytes:
    """The bytes of one record holding ``changes``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    named: dict[tuple[str, str], tuple[str, ...]] = {}
    for kind, table, cells in changes:
        columns = tuple(cells)
        if named.get((kind, table)) != columns:
            writer.writerow([COLUMNS, kind, table, *columns])
            named[kind, table] = columns
        writer.writerow([kind, table, *cells.values()])
    payload = buffer.getvalue().encode("utf-8")
    return b"%s%d %08x\n%s" % (MAGIC, len(payload), zlib.crc32(payload), payload)


def records(data: bytes) -> tuple[list[list[Change]], int]:
    """The whole records at the start of ``data`` and how many bytes they take.

    Stops at the first torn or corrupt one: what follows it cannot be trusted.
    """
    found: list[list[Change]] = []
    at = 0
    while at < len(data):
        end = data.find(b"\n", at)
        if end < 0 or not data.startswith(MAGIC, at):
            break
        try:
            size_text, crc_text = data[at + len(MAGIC):end].split(b" ")
            size, crc = int(size_text), int(crc_text, 16)
        except ValueError:
            break
        payload = data[end + 1:end + 1 + size]
        if size < 0 or len(payload) != size or zlib.crc32(payload) != crc:
            break
        found.append(list(_changes(payload)))
        at = end + 1 + size
    return found, at


def _changes(payload: bytes) -> Iterator[Change]:
    named: dict[tuple[str, str], list[str]] = {}
    for line in csv.reader(io.StringIO(payload.decode("utf-8"), newline="")):
        if len(line) >= 3 and line[0] == COLUMNS:
            named[line[1], line[2]] = line[3:]
        elif len(line) >= 2 and (columns := named.get((line[0], line[1]))) is not None:
            yield line[0], line[1], dict(zip(columns, line[2:], strict=False))
