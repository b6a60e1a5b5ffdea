"""Compare two setups side by side; copy one package into a car through a staging view."""

from __future__ import annotations

from collections.abc import Mapping

from flask import abort, flash, request
from flask.typing import ResponseReturnValue
from marshmallow import ValidationError

from apex import compare
from apex.auth_setup import current_racer_id
from apex.blueprints.library.blueprint import baseline_or_404, bp, compare_picks
from apex.car_rules import ARCHIVED
from apex.catalogue import BY_KEY, GROUPS, as_texts, params_in, power_of, with_unit
from apex.db import get_store
from apex.htmx import render, see_other
from apex.models import Car, LibraryBaseline, Setup
from apex.schemas import form_dict
from apex.schemas.setup import SetupSchema


def _side(ref: str) -> tuple[str, dict, str]:
    """``lib:12`` (any library baseline) or ``car:<id>`` (one of my cars) -> label, values,
    power (a car's own; a baseline's from its values, "" when they don't tell)."""
    kind, _, ident = ref.partition(":")
    if kind == "lib" and ident.isascii() and ident.isdigit():
        b = baseline_or_404(int(ident))
        label = f"#{b.id} {b.brand} {b.vehicle}, {b.track} {b.date.isoformat()}"
        return label, b.values, power_of(b.values)
    if kind == "car":
        car, setup = _my_car(ident)
        return f"My {car.label} (Shop Master)", setup.values, car.power
    abort(404)


def _my_car(car_id: str) -> tuple[Car, Setup]:
    store, racer_id = get_store(), current_racer_id()
    found = store.get_car_with_config(racer_id, car_id)
    if found is None:
        abort(404)
    return found


@bp.get("/compare")
def compare_setups() -> ResponseReturnValue:
    a = request.args.get("a", "")
    b = request.args.get("b") or (f"lib:{request.args['b_lib']}" if request.args.get("b_lib")
                                  else "")
    (a_label, a_values, a_power), (b_label, b_values, b_power) = _side(a), _side(b)
    # Setups of one power (or one that doesn't tell) compare on its fields; a nitro
    # setup against an electric one shows every field.
    powers = {p for p in (a_power, b_power) if p}
    power = powers.pop() if len(powers) == 1 else ""
    return render("library/compare.html", {}, a_label=a_label, b_label=b_label, a=a, b=b,
                  comparison=compare.compare_setups(a_values, b_values, power))


PICKS_BLOCKS = {"compare-picks": "compare_picks"}


@bp.get("/<int:baseline_id>/compare-with")
def pick_comparison(baseline_id: int) -> ResponseReturnValue:
    """Find the library setup to compare a baseline with: a search (live over HTMX, a
    plain form without JavaScript) whose hits each open the comparison."""
    baseline = baseline_or_404(baseline_id)
    q = (request.args.get("q") or "").strip()[:100]
    picks, more = compare_picks(baseline, q)
    return render("library/compare_with.html", PICKS_BLOCKS, baseline=baseline, q=q,
                  picks=picks, more=more)


def _staging(baseline: LibraryBaseline, car: Car, setup: Setup, group: str, values: dict,
             errors: dict, status: int = 200) -> ResponseReturnValue:
    params = params_in(group, car.power)
    current = as_texts(setup.values)
    changing = [p.key for p in params if (values.get(p.key) or "") != current[p.key]]
    return render("library/copy.html", {}, status, baseline=baseline, car=car, group=group,
                  params=params, current=current, values=values, errors=errors,
                  changing=changing)


def _copy_target(baseline_id: int, args: Mapping[str, str]
                 ) -> tuple[LibraryBaseline, Car, Setup, str]:
    """The baseline, my car and its setup, and the package a copy names (else 404)."""
    baseline = baseline_or_404(baseline_id)
    car, setup = _my_car(args.get("car", ""))
    group = args.get("package", "")
    if group not in GROUPS:
        abort(404)
    return baseline, car, setup, group


@bp.get("/<int:baseline_id>/copy")
def stage_copy(baseline_id: int) -> ResponseReturnValue:
    baseline, car, setup, group = _copy_target(baseline_id, request.args)
    return _staging(baseline, car, setup, group, as_texts(baseline.values), {})


@bp.post("/<int:baseline_id>/copy")
def apply_copy(baseline_id: int) -> ResponseReturnValue:
    baseline, car, setup, group = _copy_target(baseline_id, request.form)
    keys = [p.key for p in params_in(group, car.power)]  # never the other power's fields
    values = form_dict(request.form)
    if car.archived:  # its Shop Master is read-only until restored (apex.car_rules)
        return _staging(baseline, car, setup, group, values, {"car": [ARCHIVED]}, 422)
    try:
        typed = SetupSchema(only=keys).load({k: values.get(k, "") for k in keys})
    except ValidationError as err:
        return _staging(baseline, car, setup, group, values, err.messages_dict, 422)
    proposed = {**setup.values, **typed}
    changes = compare.package_changes(setup.values, proposed, group)
    if not changes:
        flash(f"Nothing to change: your {group} already matches.")
        return see_other("garage.edit_setup", car_id=car.id)
    changed = {c.key: c.after for c in changes}
    note = _change_note(baseline, group, changes)
    if get_store().change_car_config(current_racer_id(), car.id, changed, note,
                                     track=baseline.track) is None:
        abort(404)
    flash(f"{len(changes)} {group} change{'s' if len(changes) > 1 else ''} applied to "
          f"the Shop Master of {car.label}.")
    return see_other("garage.edit_setup", car_id=car.id)


def _change_note(baseline: LibraryBaseline, group: str, changes: list) -> str:
    """What the notebook keeps of a copy: where from, and every before → after, each
    parameter by its label (the racer reads it; the change rows keep the keys)."""
    parts = [f"{BY_KEY[c.key].label} {with_unit(BY_KEY[c.key], c.before) or '—'} → "
             f"{with_unit(BY_KEY[c.key], c.after) or '—'}" for c in changes]
    return (f"Copied {group} from library #{baseline.id} ({baseline.brand} {baseline.vehicle}, "
            f"{baseline.track}, {baseline.date.isoformat()}): " + "; ".join(parts))
