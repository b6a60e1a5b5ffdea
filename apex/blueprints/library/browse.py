"""Search the library, open one baseline, download a search as CSV, community ranges."""

from __future__ import annotations

from dataclasses import replace

from flask import Response, abort, request
from flask.typing import ResponseReturnValue
from marshmallow import ValidationError

from apex.auth_setup import current_racer_id
from apex.blueprints.library.blueprint import baseline_or_404, bp, compare_picks
from apex.catalogue import as_texts, format_value, packages, power_of
from apex.db import get_store
from apex.htmx import render, target_block
from apex.models import LibraryBaseline, LibraryQuery, parse_cursor
from apex.schemas import form_dict
from apex.schemas.library import RangesSchema, SearchSchema

PAGE = "library/index.html"
BLOCKS = {"results": "results"}
SEARCH_FIELDS = frozenset(SearchSchema().fields)
PAGING = frozenset({"page", "after", "before"})  # where in the results, not what is searched
EXPORT_LIMIT = 10_000  # rows in one download: a search, not a dump of the whole library


def search_from_args() -> tuple[LibraryQuery, dict, dict]:
    """The search the URL asks for (bad arguments are reported and ignored)."""
    values = form_dict(request.args)
    try:
        data = SearchSchema().load(values)
        errors: dict = {}
    except ValidationError as err:
        data = SearchSchema().load({k: v for k, v in values.items() if k not in err.messages})
        errors = err.messages_dict
    query = LibraryQuery(text=data["q"], brand=data["brand"], vehicle=data["vehicle"],
                         track=data["track"], condition=data["condition"],
                         date_from=data["date_from"], date_to=data["date_to"],
                         page=data["page"], after=parse_cursor(data["after"]),
                         before=parse_cursor(data["before"]))
    return query, values, errors


def search_args(values: dict, **override: object) -> dict:
    """The URL arguments of a search, for links to other pages of it (only the search's
    own fields: any other query key could be one of url_for's, like ``_external``)."""
    args = {k: v for k, v in values.items()
            if k in SEARCH_FIELDS and k not in PAGING and v not in (None, "")}
    args.update({k: v for k, v in override.items() if v})
    return args


@bp.get("/")
def list_baselines() -> ResponseReturnValue:
    query, values, errors = search_from_args()
    store = get_store()
    found = store.search_library(query)
    # The live search swaps the results alone: only the page's filter form needs facets.
    facets = store.library_facets() if target_block(BLOCKS) is None else None
    return render(PAGE, BLOCKS, 422 if errors else 200, found=found, values=values,
                  errors=errors, facets=facets, search_args=search_args,
                  racer_id=current_racer_id())


@bp.get("/<int:baseline_id>")
def show_baseline(baseline_id: int) -> ResponseReturnValue:
    baseline = baseline_or_404(baseline_id)
    cars = get_store().list_cars(current_racer_id())
    picks, more = compare_picks(baseline, "")
    # No car, so no power: the sheet shows the power whose own fields have values.
    return render("library/show.html", {}, baseline=baseline, values=as_texts(baseline.values),
                  packages=packages(power_of(baseline.values)), cars=cars,
                  racer_id=current_racer_id(), picks=picks, more=more, q="")


@bp.get("/export.csv")
def export_baselines() -> ResponseReturnValue:
    from apex.library_csv import export_rows

    query, _, _ = search_from_args()
    rows: list[LibraryBaseline]
    store, rows, page = get_store(), [], 1
    while len(rows) < EXPORT_LIMIT:
        found = store.search_library(replace(query, page=page, per_page=1000))
        rows += found.rows
        if page >= found.pages:
            break
        page += 1
    response = Response(export_rows(rows[:EXPORT_LIMIT]), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="apex-library.csv"'
    return response


@bp.get("/ranges")
def show_ranges() -> ResponseReturnValue:
    """The median and range of every setting for a car, next to my Shop Master's value."""
    from apex.community import CommunitySummary, ranges_of

    store, racer_id = get_store(), current_racer_id()
    errors: dict[str, list[str]]
    try:
        values, errors = RangesSchema().load(form_dict(request.args)), {}
    except ValidationError as err:
        values, errors = RangesSchema().load({}), err.messages_dict
    cars = store.list_cars(racer_id)
    mine = None
    if values["car"]:
        found = store.get_car_with_config(racer_id, values["car"])
        if found is None:
            abort(404)
        car, setup = found
        mine = setup.values
        values["brand"] = values["brand"] or car.brand
        values["vehicle"] = values["vehicle"] or car.model
    searched = bool(values["brand"] and values["vehicle"])
    summary = store.community_summary(values["brand"], values["vehicle"], values["track"],
                                      values["condition"]) if searched \
        else CommunitySummary(0, {})
    return render("library/ranges.html", {}, 422 if errors else 200, values=values,
                  errors=errors, cars=cars,
                  facets=store.library_facets(), searched=searched, count=summary.rows,
                  ranges=ranges_of(summary, mine), fmt=format_value)
