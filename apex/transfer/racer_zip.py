"""A racer's own data as one zip: the CSV files of ``flask db export-csv``, safe to open
in a spreadsheet.

The files are written by the same code as ``export-csv`` (a CsvStore folder filled by
``import_rows``), so the layout is the same: one ``<table>.csv`` per table with the
store's headers. Then every cell a spreadsheet would run as a formula is neutralised
as the other racer downloads do (apex.transfer.cells.neutralise), except a plain number
(a negative toe stays ``-1.0``); ``import-csv`` undoes it (apex.transfer.readers).
"""

from __future__ import annotations

import csv
import io
import tempfile
import zipfile
from pathlib import Path

from apex.stores.csv import CsvStore
from apex.tables import TABLES
from apex.transfer import Rows
from apex.transfer.cells import PLAIN_NUMBER, neutralise
from apex.transfer.readers import NEUTRALISED

README = f"""Your APEX data: one CSV file per table, the layout of `flask db export-csv`.

Cells that a spreadsheet would run as a formula start with an extra ' here; the
{NEUTRALISED} file tells `flask db import-csv` to take it off again. Your password
is not in this export: an account imported from it needs a new password
(`flask --app wsgi user reset-password NAME`).
"""


def racer_zip(rows: Rows) -> bytes:
    """``rows`` (one racer's, apex.transfer.racer.own_rows) as a zip of CSV files."""
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory(prefix="apex-export-") as tmp:
        store = CsvStore(Path(tmp))
        store.upgrade()
        store.import_rows(rows)
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for table in TABLES:
                with open(Path(tmp) / f"{table}.csv", newline="", encoding="utf-8") as f:
                    text = f.read()
                archive.writestr(f"{table}.csv", _neutralised(text))
            archive.writestr(NEUTRALISED, README)
    return buffer.getvalue()


def _neutralised(text: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out)  # CRLF, as the store's own files
    for number, row in enumerate(csv.reader(io.StringIO(text, newline=""))):
        writer.writerow(row if number == 0 else [
            cell if PLAIN_NUMBER.fullmatch(cell) else neutralise(cell) for cell in row])
    return out.getvalue()
