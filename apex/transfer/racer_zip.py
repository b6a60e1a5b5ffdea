"""A racer's own data as one zip: the CSV files of ``flask db export-csv``.

The files are written by the same code as ``export-csv`` (a CsvStore folder filled by
``import_rows``), so the layout is the same, one ``<table>.csv`` per table with the
store's headers, and so is the spreadsheet safety: every table cell that a spreadsheet
would run as a formula is already neutralised by ``apex.tables.to_text`` (the rule is
apex.spreadsheet), and ``import-csv`` reads it back exactly.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

from apex.stores.csv import CsvStore
from apex.tables import TABLES
from apex.transfer import Rows

README_NAME = "README-apex-export.txt"
README = """Your APEX data: one CSV file per table, the layout of `flask db export-csv`.

Cells that a spreadsheet would run as a formula start with an extra ' here;
`flask db import-csv` takes it off again. Your password is not in this export: an
account imported from it needs a new password
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
                archive.write(Path(tmp) / f"{table}.csv", f"{table}.csv")
            archive.writestr(README_NAME, README)
    return buffer.getvalue()
