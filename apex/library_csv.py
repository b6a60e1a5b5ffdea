"""The Setup Library as a CSV file: export (safe to open in a spreadsheet) and upload.

Why it is built this way:
- One layout both ways: ``COLUMNS`` = the library fields (``LIBRARY_FIELDS``), then
  every catalogue key in catalogue order; dates ISO, numbers as ``format_value``
  writes them (``7000``, ``-1.0``), unset values empty.
- Spreadsheet formula injection (the rule lives in apex.spreadsheet): a cell a
  spreadsheet would run as a formula
  (it starts with ``=``, ``+``, ``-``, ``@``, tab or CR) gets a leading ``'``. The
  one exception is a numeric parameter whose cell is a plain number (Toe ``-1.0``):
  it stays a number, so the file imports as it was. To keep every text round-trip
  exact, a cell that already starts with ``'`` in front of such a character gets
  one more ``'``; upload removes exactly one ``'`` from a cell that starts with
  ``'`` in front of such a character (``''=x`` -> ``'=x``) and leaves ``'Kosmos'``
  alone.
- Upload reads the bytes with ``apex.transfer.readers.read_csv`` (BOM, CRLF, strict
  quotes, line numbers as it counts them: header = line 1) and checks columns with
  its ``check_columns``. The fields are checked by the library form's own
  ``BaselineSchema`` (same limits and messages as adding a baseline by hand, source
  named in full when wrong); parameters by ``apex.transfer.values.read_param``, as
  an old-app import reads them (units such as ``450 cSt``, ``7k`` oils, ``1.2x4``
  pistons, ``N/A`` as blank with a warning), then ``ParamField``.
- A key (track, brand, vehicle, condition, date) repeated within the file is an error
  on the later line; keys already in the library are the Store's to report.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from marshmallow import ValidationError

from apex.catalogue import BY_KEY, PARAM_KEYS, Value, format_value
from apex.models import LIBRARY_FIELDS, LIBRARY_SOURCES, LibraryBaseline
from apex.schemas.library import BaselineSchema
from apex.spreadsheet import PLAIN_NUMBER, neutralise, restore
from apex.transfer import RowError
from apex.transfer.readers import check_columns, read_csv
from apex.transfer.values import read_param

COLUMNS: tuple[str, ...] = (*LIBRARY_FIELDS, *PARAM_KEYS)
REQUIRED: tuple[str, ...] = ("track", "brand", "vehicle", "condition", "date", "source")
KEY_FIELDS: tuple[str, ...] = ("track", "brand", "vehicle", "condition", "date")
BOM = "\ufeff"
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

Fields = dict[str, Any]  # LIBRARY_FIELDS -> str, "date" -> datetime.date
Item = tuple[Mapping[str, Any], Mapping[str, Value]]  # (Fields, values), read only


def export_rows(baselines: Iterable[LibraryBaseline]) -> str:
    """CSV text with a header, one row per baseline (CRLF line ends, as the csv module writes).

    The text starts with a byte-order mark (U+FEFF) so that a spreadsheet reads the
    UTF-8 it is sent as (accents in track and driver names) right: send it encoded as
    plain UTF-8, not ``utf-8-sig`` (``parse_upload`` reads a doubled mark all the same).
    """
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for b in baselines:
        cells = [_field_text(getattr(b, name)) for name in LIBRARY_FIELDS]
        for key in PARAM_KEYS:
            value = b.values.get(key)
            text = format_value(BY_KEY[key], value) if value is not None else ""
            keep = BY_KEY[key].is_numeric and PLAIN_NUMBER.fullmatch(text)
            cells.append(text if keep else neutralise(text))
        writer.writerow(cells)
    return out.getvalue()


def parse_upload(data: bytes, filename: str, warnings: list[RowError] | None = None
                 ) -> tuple[list[Item], list[RowError]]:
    """The uploaded file's baselines as ``(fields, values)`` items, and every bad line.

    ``fields`` holds every library field (``date`` a ``datetime.date``, missing optional
    columns ""), ``values`` every catalogue key (None when unset). Items of good lines
    are returned even when other lines are bad: add nothing while ``errors`` is not
    empty (``add_library_baselines`` is all or none anyway). ``warnings``, when given,
    gets each cell read as not set (``N/A``).
    """
    errors: list[RowError] = []
    while data.startswith(codecs.BOM_UTF8 * 2):  # export's mark, encoded as utf-8-sig again
        data = data[len(codecs.BOM_UTF8):]
    upload = _Upload(filename, data)
    table = read_csv(upload, errors)  # type: ignore[arg-type]  # needs .name and .read_bytes()
    if not table.readable:
        return [], errors
    if not table.header:
        return [], [RowError(upload.name, 1, "the file is empty: the first line must be the "
                             f"header ({', '.join(REQUIRED)}, …)")]
    header_errors = len(errors)
    if not check_columns(table, set(COLUMNS), REQUIRED, errors) or len(errors) > header_errors:
        return [], errors  # unknown columns would lose their values: fix the header first
    items: list[Item] = []
    seen: dict[tuple, int] = {}
    for record in table.records:
        cells = {name: restore(text.strip()) for name, text in record.cells.items()}
        problems: list[str] = []
        fields = _fields(cells, problems)
        values: dict[str, Value] = {}
        for key in PARAM_KEYS:
            try:
                cell = read_param(key, cells.get(key, ""))
            except ValueError as e:
                problems.append(f"{key}: {e}")
                continue
            values[key] = cell.value
            if cell.warning and warnings is not None:
                warnings.append(RowError(upload.name, record.line, f"{key}: {cell.warning}"))
        if fields is not None:
            natural = tuple(fields[name] for name in KEY_FIELDS)
            if natural in seen:
                problems.append("the same track, brand, vehicle, condition and date as line "
                                f"{seen[natural]}")
            seen.setdefault(natural, record.line)
        errors.extend(RowError(upload.name, record.line, p) for p in problems)
        if not problems and fields is not None:
            items.append((fields, values))
    return items, errors


class _Upload:
    """What ``read_csv`` uses of a path (its name and bytes): no file is written."""

    def __init__(self, filename: str, data: bytes) -> None:
        self.name = filename.replace("\\", "/").rsplit("/", 1)[-1] or "upload.csv"
        self._data = data

    def read_bytes(self) -> bytes:
        return self._data


def _fields(cells: dict[str, str], problems: list[str]) -> Fields | None:
    """The library fields, checked by the library form's schema; None when any is bad.

    Date and source get messages of their own, naming what a file must hold (the
    form's "Pick a source." does not help in a spreadsheet); the date must be written
    ``YYYY-MM-DD`` exactly.
    """
    given = {name: cells.get(name, "") for name in LIBRARY_FIELDS}
    found = len(problems)
    if not _is_iso_date(given["date"]):
        problems.append(f"date: {given['date']!r} is not a date: write it as YYYY-MM-DD"
                        if given["date"] else "date: empty: write the date as YYYY-MM-DD")
    if given["source"] not in LIBRARY_SOURCES:
        problems.append(f"source: {given['source']!r} is not one of "
                        f"{', '.join(LIBRARY_SOURCES)}" if given["source"]
                        else f"source: empty: one of {', '.join(LIBRARY_SOURCES)}")
    try:
        loaded = BaselineSchema().load(given)
    except ValidationError as e:
        messages = e.messages if isinstance(e.messages, dict) else {"row": e.messages}
        problems.extend(f"{name}: {_text(message)}" for name, message in messages.items()
                        if name not in ("date", "source"))  # reported above
        return None
    return None if len(problems) > found else {name: loaded[name] for name in LIBRARY_FIELDS}


def _is_iso_date(text: str) -> bool:
    if not _ISO_DATE.fullmatch(text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _text(messages: object) -> str:
    return " ".join(str(m) for m in messages) if isinstance(messages, list) else str(messages)


def _field_text(value: object) -> str:
    if isinstance(value, date):
        return value.isoformat()
    return neutralise("" if value is None else str(value))
