"""HTMX fragments and the Setup Library for bench_pages.

* ``measure``: each case's fragment with the Flask test client (``Accept-Encoding:
  br, gzip``): status, raw and compressed body size, median server time.
* ``seed_library``: ~60 baselines more than the demo's dozen, so a common word
  ("mac") finds a realistic list with a second page.
* ``library_pages`` and ``library_cases``: what bench_pages visits and times of the
  library tab (the list, a search, a baseline, compare, copy staging, community ranges;
  the live-search results fragment, page 1 and 2).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

RUNS = 20
ACCEPT = {"Accept-Encoding": "br, gzip"}
SEARCH_WORD = "mac"  # a common word: "Mac's Track", "MacGregor Raceway"


@dataclass
class Fragment:
    name: str
    target: str
    status: int
    raw: int
    wire: int
    encoding: str
    median_ms: float


@dataclass
class Case:
    """One fragment request: POST ``form``, or GET when ``form`` is None."""

    name: str
    target: str
    client: Any
    url: str
    form: dict | None
    expected: int
    csrf_token: str
    cleanup: Callable[[], None] | None = None


def measure(cases: list[Case]) -> list[Fragment]:
    out = []
    for case in cases:
        headers = {**ACCEPT, "HX-Request": "true", "HX-Target": case.target,
                   "X-CSRFToken": case.csrf_token}
        times, first, raw, wire, encoding = [], None, 0, 0, "none"
        for _ in range(RUNS):
            t0 = time.perf_counter()
            if case.form is None:
                response = case.client.get(case.url, headers=headers)
            else:
                response = case.client.post(case.url, data=case.form, headers=headers)
            times.append((time.perf_counter() - t0) * 1000)
            if response.status_code != case.expected:
                raise SystemExit(f"bench_pages: {case.name} answered {response.status_code}, "
                                 f"expected {case.expected}")
            if first is None:
                first = response
                body = response.get_data()
                encoding = response.headers.get("Content-Encoding", "none")
                decoded = _decode(body, encoding)
                if case.form is None and b"<html" in decoded:
                    raise SystemExit(f"bench_pages: {case.name} answered a whole page")
                raw, wire = len(decoded), len(body)
            if case.cleanup:
                case.cleanup()
        out.append(Fragment(case.name, case.target, first.status_code, raw, wire, encoding,
                            statistics.median(times)))
    return out


def _decode(body: bytes, encoding: str) -> bytes:
    if encoding == "br":
        import brotli

        return brotli.decompress(body)
    if encoding == "gzip":
        import gzip

        return gzip.decompress(body)
    return body


# --- the library -----------------------------------------------------------------------------

# Each of the demo's 12 baselines again at 5 more tracks (3 of them "mac"), a week apart.
_TRACKS = ("Mac's Track", "MacGregor Raceway", "Thunder Alley", "Mac's Track",
           "Lakeside RC Park")
_CONDITIONS = ("High Traction, Smooth", "Medium Traction, Bumpy", "Bumpy, Dusty",
               "Low Traction, Dusty", "Rutted, Dry")
_DRIVERS = ("Ryan Maifield", "Jared Tebo", "Sam Ortiz", "Ty Tessmann", "Dakota Phipps",
            "Élodie Martin", "Spencer Rivkin", "", "Adam Drake")


def seed_library(store: Any, count: int = 60) -> int:
    """Add ``count`` community baselines (no submitter) to the demo's; returns how many."""
    from apex.demo import library_rows

    templates = library_rows(None)
    rows = []
    for i in range(count):
        variant = i // len(templates)
        rows.append({**templates[i % len(templates)], "id": None,
                     "track": _TRACKS[variant % len(_TRACKS)],
                     "condition": _CONDITIONS[i % len(_CONDITIONS)],
                     "driver_name": _DRIVERS[i % len(_DRIVERS)],
                     "date": templates[i % len(templates)]["date"] - timedelta(weeks=variant + 1)})
    report = store.import_rows({"master_library": rows})
    created = report.counts["master_library"].created
    if created != count:
        raise SystemExit(f"bench_pages: the library took {created} of {count} extra rows")
    return created


def demo_baseline(store: Any) -> Any:
    """The baseline the bench opens: the newest factory NB48 setup for Thunder Alley."""
    from apex.models import LibraryQuery

    query = LibraryQuery(track="Thunder Alley", brand="Tekno", vehicle="NB48 2.2", per_page=100)
    rows = [b for b in store.search_library(query).rows if b.source == "Factory Base"]
    if not rows:
        raise SystemExit("bench_pages: the demo library has no Thunder Alley NB48 baseline")
    return max(rows, key=lambda b: b.date)


def library_pages(store: Any, car_id: str, login: tuple[str, str]) -> list:
    """(name, path, login) of the library's pages, for bench_wire.measure_pages."""
    b = demo_baseline(store).id
    return [
        ("Library", "/library/", login),
        ("Library search", f"/library/?q={SEARCH_WORD}", login),
        ("Baseline", f"/library/{b}", login),
        ("Compare", f"/library/compare?a=lib:{b}&b=car:{car_id}", login),
        ("Copy staging", f"/library/{b}/copy?package=Suspension&car={car_id}", login),
        ("Community ranges", f"/library/ranges?car={car_id}", login),
    ]


def library_cases(client: Any, token: str) -> list[Case]:
    """The live search's results fragment (HX-Target ``results``): page 1 and page 2."""
    return [
        Case(f"search '{SEARCH_WORD}'", "results", client, f"/library/?q={SEARCH_WORD}",
             None, 200, token),
        Case(f"search '{SEARCH_WORD}' page 2", "results", client,
             f"/library/?q={SEARCH_WORD}&page=2", None, 200, token),
    ]
