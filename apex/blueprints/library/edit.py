"""Add baselines by hand; edit and delete your own (imports live in contribute.py)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from flask import abort, flash, request
from flask.typing import ResponseReturnValue
from marshmallow import ValidationError

from apex import versions
from apex.auth_setup import current_racer_id
from apex.blueprints.library.blueprint import baseline_or_404, bp
from apex.catalogue import LABELS as PARAM_LABELS
from apex.catalogue import PARAM_KEYS, PRESETS, Value, as_texts, packages
from apex.db import get_store
from apex.htmx import render, see_other
from apex.models import LIBRARY_FIELDS, LIBRARY_SOURCES, LibraryBaseline
from apex.schemas import form_dict
from apex.schemas.library import BaselineSchema, EditBaselineSchema
from apex.store import DuplicateError, StaleEditError

FORM = "library/form.html"
FORM_BLOCKS = {"baseline-form": "baseline_form"}


def baseline_form(status: int = 200, **context: Any) -> ResponseReturnValue:
    context.setdefault("errors", {})
    context.setdefault("problems", {})
    return render(FORM, FORM_BLOCKS, status, packages=packages(), sources=LIBRARY_SOURCES,
                  presets=list(PRESETS), **context)


def _split(data: dict) -> tuple[dict, dict]:
    return {k: data[k] for k in LIBRARY_FIELDS}, {k: data[k] for k in PARAM_KEYS}


def _own(baseline_id: int) -> LibraryBaseline:
    """Only who added a row may change it; for anyone else it does not exist."""
    baseline = baseline_or_404(baseline_id)
    if baseline.submitted_by != current_racer_id():
        abort(404)
    return baseline


@bp.get("/new")
def new_baseline() -> ResponseReturnValue:
    preset = request.args.get("preset", "")
    values = as_texts(PRESETS[preset]) if preset in PRESETS else {}
    values.update(date=date.today().isoformat(), source="User Upload")
    return baseline_form(values=values, baseline=None)


@bp.post("/new")
def add_baseline() -> ResponseReturnValue:
    values = form_dict(request.form)
    try:
        data = BaselineSchema().load(values)
        fields, params = _split(data)
        added = get_store().add_library_baselines(
            current_racer_id(), [(fields, params)], request_key=data["request_key"])
    except ValidationError as err:
        return baseline_form(422, values=values, errors=err.messages, baseline=None)
    except DuplicateError as err:
        return baseline_form(422, values=values, errors={err.field: [err.message]}, baseline=None)
    if not added:  # a retried submit: it was saved the first time
        flash("Already saved.")
        return see_other("library.list_baselines")
    flash("Added to the library.")
    return see_other("library.show_baseline", baseline_id=added[0].id)


# What the conflict choice calls each field (apex.versions.choice).
LABELS = {"track": "Track", "brand": "Brand", "vehicle": "Vehicle", "condition": "Condition",
          "date": "Date", "source": "Source", "driver_name": "Driver", "notes": "Notes",
          **PARAM_LABELS}
KEYS = (*LIBRARY_FIELDS, *PARAM_KEYS)


def _texts(fields: Mapping[str, Any], params: dict[str, Value]) -> dict[str, str]:
    """A baseline's fields and values as its form shows them."""
    texts = {k: str(fields[k] or "") for k in LIBRARY_FIELDS}
    if isinstance(fields["date"], date):
        texts["date"] = fields["date"].isoformat()
    return {**texts, **as_texts(params)}


@bp.get("/<int:baseline_id>/edit")
def edit_baseline(baseline_id: int) -> ResponseReturnValue:
    baseline = _own(baseline_id)
    texts = _texts({k: getattr(baseline, k) for k in LIBRARY_FIELDS}, baseline.values)
    values = {**texts, "version": str(baseline.version), "seen": versions.seen_text(texts)}
    return baseline_form(values=values, baseline=baseline)


@bp.post("/<int:baseline_id>/edit")
def update_baseline(baseline_id: int) -> ResponseReturnValue:
    baseline = _own(baseline_id)
    values = form_dict(request.form)
    try:
        data = EditBaselineSchema().load(values)
        fields, params = _split(data)
        updated = get_store().update_library_baseline(
            current_racer_id(), baseline_id, fields, params, version=data["version"])
    except ValidationError as err:
        return baseline_form(422, values=values, errors=err.messages, baseline=baseline)
    except StaleEditError as stale:
        # Saved from an older page: the racer picks, value by value (never a silent undo).
        stored: LibraryBaseline = stale.current
        choice = versions.choice(
            _texts({k: getattr(stored, k) for k in LIBRARY_FIELDS}, stored.values),
            _texts(fields, params), versions.read_seen(data["seen"]), LABELS, KEYS,
            stored.version)
        return baseline_form(409, values={}, baseline=stored, choice=choice)
    except DuplicateError as err:
        errors = {err.field: [err.message]}
        return baseline_form(422, values=values, errors=errors, baseline=baseline)
    if updated is None:
        abort(404)
    flash("Baseline saved.")
    return see_other("library.show_baseline", baseline_id=baseline_id)


@bp.post("/<int:baseline_id>/delete")
def delete_baseline(baseline_id: int) -> ResponseReturnValue:
    _own(baseline_id)
    if not get_store().delete_library_baseline(current_racer_id(), baseline_id):
        abort(404)
    flash("Deleted from the library.")
    return see_other("library.list_baselines")
