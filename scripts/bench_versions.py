#!/usr/bin/env python3
"""Two phones, one Shop Master: how often the second save silently undoes the first.

Issue 12, finding 4. Per round, on each store: two "phones" (one racer's session) open
the same Shop Master page; phone A saves one field, phone B then saves another from
its older page. Counted: rounds where B's save went through and A's change was lost
(silent overwrite), rounds where B got the "Changed on another phone" choice, and
rounds where saving that choice as offered kept both changes. Also the size of the
Shop Master form fragment (gzip). Figures, not assertions: exits 0.

Run it as ``.venv/bin/python scripts/bench_versions.py [--rounds N]``.
"""

from __future__ import annotations

import argparse
import gzip
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the apex package and the tests' helpers

from apex import create_app  # noqa: E402
from apex.catalogue import PRESETS  # noqa: E402
from tests import pg_server  # noqa: E402
from tests.form_helpers import form_fields  # noqa: E402

NB48 = PRESETS["Tekno NB48 2.2"]
PASSWORD = "bench-versions-password"
HX = {"HX-Request": "true", "HX-Target": "setup-form"}


def run(config: dict, rounds: int) -> dict[str, int]:
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False,
                      "WTF_CSRF_ENABLED": False, **config})
    store = app.extensions["apex.store"]
    store.upgrade()
    client = app.test_client()
    client.post("/auth/signup", data={"username": "bench", "email": "b@example.com",
                                      "password": PASSWORD, "password_confirm": PASSWORD})
    racer_id = store.find_user("bench").racer_id
    car = store.add_car(racer_id, {"brand": "Tekno", "model": "NB48 2.2"}, NB48)
    url = f"/garage/cars/{car.id}/setup"
    counts = {"rounds": rounds, "lost": 0, "choice": 0, "kept both": 0}
    for _ in range(rounds):
        a = form_fields(client.get(url).text, "setup-form")
        b = form_fields(client.get(url).text, "setup-form")
        # Phone A changes the front diff, phone B the front shock oil: new values each round.
        df = "6000" if a["DF"] != "6000" else "8000"
        so = "500" if a["SO_F"] != "500" else "450"
        client.post(url, data={**a, "DF": df})
        second = client.post(url, data={**b, "SO_F": so}, headers=HX)
        stored = store.get_car_config(racer_id, car.id).values
        if second.status_code == 409:
            counts["choice"] += 1
            client.post(url, data=form_fields(second.text, "setup-form"), headers=HX)
            stored = store.get_car_config(racer_id, car.id).values
            if str(stored["DF"]) == df and str(stored["SO_F"]) == so:
                counts["kept both"] += 1
        elif str(stored["DF"]) != df:
            counts["lost"] += 1
    fragment = client.get(url, headers=HX).get_data()
    counts["fragment gzip bytes"] = len(gzip.compress(fragment, 6))
    store.close()
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        print("csv:", run({"DATABASE_URL": None, "APEX_DATA_DIR": folder}, args.rounds))
    server = pg_server.start()
    try:
        url = server.create_database("apex_bench_versions")
        print("postgres:", run({"DATABASE_URL": url}, args.rounds))
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
