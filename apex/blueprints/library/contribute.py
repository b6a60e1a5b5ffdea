"""Bring baselines in: promote a Shop Master, upload a CSV, read a setup-sheet PDF."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, current_app, flash, request
from flask.typing import ResponseReturnValue
from marshmallow import ValidationError

from apex.auth_setup import current_racer_id
from apex.blueprints.library.blueprint import bp
from apex.blueprints.library.edit import baseline_form
from apex.catalogue import as_texts
from apex.db import get_store
from apex.extensions import upload_limit
from apex.htmx import render, see_other
from apex.models import LIBRARY_FIELDS, LIBRARY_SOURCES
from apex.schemas import form_dict
from apex.schemas.library import PromoteSchema
from apex.store import DuplicateError
from apex.transfer import RowError

PROMOTE = "library/promote.html"
IMPORT = "library/import.html"
# One racer's upload to the shared library; a bigger migration is `flask db import-csv`.
MAX_UPLOAD_ROWS = 2000
# The request limit was 6 MB before Theory documents needed 10: a CSV keeps it (413).
MAX_UPLOAD_BYTES = 6 * 1024 * 1024


def _promote_form(status: int = 200, **context: Any) -> ResponseReturnValue:
    context.setdefault("errors", {})
    cars = get_store().list_cars(current_racer_id())
    return render(PROMOTE, {"promote-form": "promote_form"}, status, cars=cars,
                  sources=LIBRARY_SOURCES, **context)


@bp.get("/promote")
def promote_form() -> ResponseReturnValue:
    profile = get_store().get_profile(current_racer_id())
    values = {"car_id": request.args.get("car", ""), "date": date.today().isoformat(),
              "source": "User Upload", "driver_name": profile.name if profile else ""}
    return _promote_form(values=values)


@bp.post("/promote")
def promote_car() -> ResponseReturnValue:
    racer_id, store = current_racer_id(), get_store()
    values = form_dict(request.form)
    try:
        data = PromoteSchema().load(values)
    except ValidationError as err:
        return _promote_form(422, values=values, errors=err.messages)
    found = store.get_car_with_config(racer_id, data["car_id"])
    if found is None:
        abort(404)
    car, setup = found
    fields = {**{k: data.get(k, "") for k in LIBRARY_FIELDS}, "brand": car.brand,
              "vehicle": car.model}
    try:
        added = store.add_library_baselines(racer_id, [(fields, setup.values)],
                                            request_key=data["request_key"])
    except DuplicateError as err:
        return _promote_form(422, values=values, errors={err.field: [err.message]})
    if not added:
        flash("Already saved.")
        return see_other("library.list_baselines")
    flash(f"Your {car.label} Shop Master is in the library.")
    return see_other("library.show_baseline", baseline_id=added[0].id)


@bp.get("/import")
def import_form() -> ResponseReturnValue:
    return render(IMPORT, {}, line_errors=[], pdf_error="")


@bp.post("/import")
@upload_limit
def import_baselines() -> ResponseReturnValue:
    from apex.library_csv import parse_upload

    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _import_failed([RowError("upload", 0, "Choose a CSV file.")])
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        abort(413)
    if data.count(b"\n") > MAX_UPLOAD_ROWS + 1:  # the header line and a last newline
        return _import_failed([RowError(upload.filename, 0, f"More than {MAX_UPLOAD_ROWS} "
                                        "rows: split the file, or ask an admin to import it.")])
    warnings: list[RowError] = []
    items, errors = parse_upload(data, upload.filename, warnings)
    keys = [(f["track"], f["brand"], f["vehicle"], f["condition"], f["date"]) for f, _ in items]
    taken = get_store().existing_library_keys(keys) if items else set()
    errors += [RowError(upload.filename, 0, f"{k[0]}, {k[1]} {k[2]}, {k[3]}, {k[4]}: already "
                        "in the library") for k in keys if k in taken]
    if errors or not items:
        return _import_failed(errors or [RowError(upload.filename, 0, "No rows in the file.")])
    try:
        added = get_store().add_library_baselines(current_racer_id(), items)
    except DuplicateError as err:
        return _import_failed([RowError(upload.filename, 0, err.message)])
    flash(f"Imported {len(added or [])} baselines.")
    for warning in warnings:  # cells such as "N/A" saved as blank: the racer checks them
        flash(f"Line {warning.line}: {warning.reason}")
    return see_other("library.list_baselines")


def _import_failed(errors: list[RowError]) -> ResponseReturnValue:
    return render(IMPORT, {}, 422, line_errors=errors, pdf_error="")


@bp.post("/pdf")
@upload_limit
def read_pdf() -> ResponseReturnValue:
    """Read a fillable setup sheet into the baseline form; nothing is saved until confirmed.
    The PDF is read in a limited child process (apex.pdf_worker)."""
    from apex import pdf_worker
    from apex.pdf_sheets import MAX_BYTES, SheetError, read_setup_sheet

    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return render(IMPORT, {}, 422, line_errors=[], pdf_error="Choose a PDF file.")
    try:
        limits = pdf_worker.Limits.from_config(current_app.config)
        sheet = read_setup_sheet(upload.read(MAX_BYTES + 1),  # one byte over says enough
                                 lambda data: pdf_worker.form_fields(data, limits))
    except SheetError as err:
        return render(IMPORT, {}, 422, line_errors=[], pdf_error=str(err))
    # What the sheet said wins; a value it could not read is shown as written, to fix.
    values = {"source": "Factory Base", "date": date.today().isoformat(),
              **as_texts(sheet.values), **{k: str(v) for k, v in sheet.fields.items() if v},
              **sheet.raw_problems}
    errors = {k: [message] for k, message in sheet.problems.items()}
    return baseline_form(values=values, errors=errors, baseline=None, from_pdf=sheet)
