"""The race-day pack on the wire (for bench_pages): what a phone downloads to keep it.

With the Flask test client and ``Accept-Encoding: br, gzip``, as the service worker
fetches them: every static file (precached at install), the pages of the open event's
pack (``/offline/pack``), and the service worker itself (``/sw.js`` plus the Workbox
modules it imports). A file's wire size is its compressed body plus its response headers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bench_wire import csrf_from

ENCODINGS = {"Accept-Encoding": "br, gzip"}


@dataclass
class Item:
    url: str
    raw: int
    wire: int


def _get(client: Any, url: str) -> Item:
    r = client.get(url, headers=ENCODINGS)
    if r.status_code != 200:
        raise SystemExit(f"bench_pages: {url} answered {r.status_code}")
    status_line = len("HTTP/1.1 200 OK\r\n\r\n")
    headers = sum(len(k) + len(v) + 4 for k, v in r.headers.items()) + status_line
    raw = len(r.data if not r.headers.get("Content-Encoding") else _decoded(r))
    return Item(url, raw, len(r.data) + headers)


def _decoded(r: Any) -> bytes:
    import gzip

    import brotli

    encoding = r.headers["Content-Encoding"]
    return brotli.decompress(r.data) if encoding == "br" else gzip.decompress(r.data)


def measure_pack(app: Any, login: tuple[str, str]) -> dict[str, list[Item]]:
    """{"static": ..., "pages": ..., "worker": ...} for the demo racer's open event."""
    import json
    import re

    client = app.test_client()
    token = csrf_from(client.get("/auth/login").get_data(as_text=True))
    r = client.post("/auth/login", data={"csrf_token": token, "login": login[0],
                                         "password": login[1]})
    if r.status_code != 303:
        raise SystemExit(f"bench_pages: test client login answered {r.status_code}")
    pack = client.get("/offline/pack").get_json()
    sw = client.get("/sw.js").get_data(as_text=True)
    config = json.loads(re.search(r"const APEX = (\{.*?\});\n", sw)[1])
    imports = config.get("imports", config["workbox"])  # Workbox's modules, then the outbox
    workbox = set(imports)
    return {
        "pages": [_get(client, p["url"]) for p in pack["pages"]],
        "static": [_get(client, url) for url in config["precache"] if url not in workbox],
        "worker": [_get(client, "/sw.js"), *(_get(client, url) for url in imports)],
    }


def report_pack(pack: dict[str, list[Item]], budget: int, kb: Any) -> bool:
    """Print the pack's table; True when it is within ``budget`` bytes."""
    print()
    print("Race-day pack (what the service worker keeps; KB on the wire = compressed body + "
          "headers)")
    head = f"{'part':<8} {'files':>5} {'raw KB':>8} {'wire KB':>8}  largest"
    print(head)
    print("-" * len(head))
    total = 0
    for part in ("pages", "static", "worker"):
        items = pack[part]
        wire = sum(i.wire for i in items)
        total += wire
        largest = max(items, key=lambda i: i.wire)
        print(f"{part:<8} {len(items):>5} {kb(sum(i.raw for i in items)):>8} {kb(wire):>8}  "
              f"{largest.url} ({kb(largest.wire)} KB)")
    ok = total <= budget
    print(f"{'total':<8} {sum(len(v) for v in pack.values()):>5} {'':>8} {kb(total):>8}  "
          f"budget <= {kb(budget)} KB: {'OK' if ok else 'OVER'}")
    worker = pack["worker"]
    print(f"The service worker itself: /sw.js {kb(worker[0].raw)} KB raw, {kb(worker[0].wire)} KB "
          f"on the wire; with the {len(worker) - 1} scripts it imports (Workbox, the outbox) "
          f"{kb(sum(i.raw for i in worker))}"
          f" KB raw, {kb(sum(i.wire for i in worker))} KB on the wire.")
    return ok
