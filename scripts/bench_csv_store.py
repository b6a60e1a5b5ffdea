#!/usr/bin/env python3
"""What a write costs on the CSV store when the folder holds a lot (issue 12, finding 6).

In a throwaway folder: one racer with --notes notes and --laps laps (written
straight into the table files, as a long season would leave them) and
--theory-mb MB of Theory documents; then another racer saves a note and a run's
30 laps (each with a request key, as the forms send) --runs times, and the Theory
library is searched. Prints median and worst times, and the first call of a fresh
store object (a new worker: it parses the files). Figures, not assertions: exits 0.

Run it as ``scripts/bench_csv_store`` (uses the repo's .venv).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the apex package

from apex.catalogue import PRESETS  # noqa: E402
from apex.stores.csv import CsvStore  # noqa: E402
from apex.stores.csv_rows import format_row  # noqa: E402

_WORDS = ("shock oil front rear diff camber toe caster ride height droop spring piston "
          "sway bar tyre compound insert wheel hub clutch pinion spur gear ratio track "
          "grip traction bump jump landing throttle brake steering servo carburettor "
          "needle glow plug temperature setting balance understeer oversteer").split()


def _timed(call: Callable[[], Any]) -> float:
    start = time.perf_counter()
    call()
    return (time.perf_counter() - start) * 1000


def _line(label: str, times: list[float]) -> None:
    print(f"  {label:<44} median {statistics.median(times):8.1f} ms"
          f"   worst {max(times):8.1f} ms   ({len(times)} calls)")


def _append_rows(store: CsvStore, table: str, rows: list[dict]) -> None:
    """Add rows to a table file directly (fast seeding; the store's own write path
    is what is timed below)."""
    tables = store._tables
    with tables.transaction():
        cells = [format_row(table, r) for r in [*tables.read(table), *rows]]
        tables.write_cells(table, cells)


def _racer(store: CsvStore, name: str) -> tuple[str, str, str]:
    user = store.create_user(name, f"{name}@example.com", "hash")
    car = store.add_car(user.racer_id, {"brand": "Tekno", "model": "NB48 2.2",
                                        "nickname": name}, PRESETS["Tekno NB48 2.2"])
    assert car is not None
    event = store.start_event(user.racer_id, {
        "name": "Nationals", "type": "Practice", "track": "Thunder Raceway", "traction": "High",
        "condition": "Bumpy", "car_id": car.id, "start_date": datetime.now(UTC).date()},
        PRESETS["Tekno NB48 2.2"])
    return user.racer_id, car.id, event.id


def seed(store: CsvStore, notes: int, laps: int, theory_mb: int) -> dict[str, str]:
    rng = random.Random(12)
    heavy, _, heavy_event = _racer(store, "heavy")
    racer, _, event = _racer(store, "saver")
    now = datetime.now(UTC)
    _append_rows(store, "track_logs", [
        {"id": str(uuid.uuid4()), "profile_id": heavy, "timestamp": now - timedelta(minutes=i),
         "kind": "note", "note": " ".join(rng.choices(_WORDS, k=12)), "track": "Thunder",
         "car": "Tekno NB48 2.2", "event": "Nationals", "keywords": "", "event_id": heavy_event,
         "created_at": now} for i in range(notes)])
    runs = [{"id": str(uuid.uuid4()), "event_id": heavy_event, "name": f"Run {i}",
             "started_at": now, "setup_version": 1, "created_at": now, "updated_at": now}
            for i in range(max(1, laps // 300))]
    _append_rows(store, "runs", runs)
    _append_rows(store, "laps", [
        {"id": str(uuid.uuid4()), "run_id": runs[i % len(runs)]["id"],
         "lap_number": i // len(runs) + 1, "seconds": Decimal("31.25"), "created_at": now}
        for i in range(laps)])
    user = store.find_user("heavy")
    assert user is not None
    docs = []
    for i in range(theory_mb):
        text = " ".join(rng.choices(_WORDS, k=170_000))[:1_000_000]
        docs.append({"id": str(uuid.uuid4()), "filename": f"manual{i}.txt",
                     "title": f"Manual {i}", "category": "general", "content": text,
                     "file_path": "", "uploaded_by": user.id, "created_at": now})
    _append_rows(store, "theory_documents", docs)
    return {"racer": racer, "event": event}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notes", type=int, default=10_000)
    parser.add_argument("--laps", type=int, default=120_000)
    parser.add_argument("--theory-mb", type=int, default=36)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="apex-bench-csv-") as folder:
        store = CsvStore(Path(folder))
        store.upgrade()
        print(f"seeding {args.notes} notes, {args.laps} laps, {args.theory_mb} MB of theory "
              f"in {folder} ...", flush=True)
        ids = seed(store, args.notes, args.laps, args.theory_mb)
        racer, event = ids["racer"], ids["event"]
        fresh = CsvStore(Path(folder))
        print("figures:")
        _line("first note list of a fresh store (parses)",
              [_timed(lambda: fresh.list_event_logs(racer, event))])
        _line(f"note save ({args.notes} notes stored)", [_timed(lambda: store.add_event_log(
            racer, event, "note", "rear end loose on the jump", request_key=str(uuid.uuid4())))
            for _ in range(args.runs)])
        run = store.add_run(racer, event, "Practice")
        assert run is not None
        laps = [Decimal("30.5")] * 30
        _line(f"30-lap save ({args.laps} laps stored)", [_timed(lambda: store.add_laps(
            racer, run.id, laps, request_key=str(uuid.uuid4()))) for _ in range(args.runs)])
        _line(f"theory search, first ({args.theory_mb} MB stored)",
              [_timed(lambda: store.search_theory("front shock oil"))])
        _line("theory search, again", [_timed(lambda: store.search_theory("camber toe"))
                                       for _ in range(5)])
        user = store.find_user("saver")
        assert user is not None
        store.add_theory_document(user.id, "Short tip", "general", "tip.txt", "shock oil tip")
        _line("theory search after an upload",
              [_timed(lambda: store.search_theory("shock oil"))])


if __name__ == "__main__":
    main()
