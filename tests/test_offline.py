"""The offline layer's server side: service worker, race-day pack, racer tag, manifest.

The browser side (the worker keeping the pack and showing it offline) is
tests/browser/test_offline_browser.py.
"""

from __future__ import annotations

import json
import re
from datetime import date

from apex.blueprints.offline import RACER_HEADER, WORKBOX
from tests.conftest import AuthActions, racer, store_of
from tests.race_helpers import start_event


def _pack(client) -> dict:
    r = client.get("/offline/pack")
    assert r.status_code == 200
    assert r.headers["Cache-Control"] == "no-store"
    return r.get_json()


def test_service_worker_is_served_at_the_root_with_every_static_file(app, client) -> None:
    r = client.get("/sw.js")
    assert r.status_code == 200
    assert r.mimetype == "text/javascript"
    assert r.headers["Cache-Control"] == "no-cache"  # the browser checks it for updates
    text = r.get_data(as_text=True)
    config = json.loads(re.search(r"const APEX = (\{.*?\});\n", text)[1])
    assets = app.extensions["apex.assets"]
    assert config["precache"] == sorted("/static/" + a.name for a in assets.values())
    assert {f"/static/{assets[name].name}" for name in WORKBOX} == set(config["workbox"])
    assert "Content-Security-Policy" in r.headers  # script-src 'self': importScripts is ours


def test_an_unchanged_service_worker_costs_a_304(client) -> None:
    first = client.get("/sw.js")
    again = client.get("/sw.js", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_the_service_worker_version_follows_the_asset_fingerprints(app, client) -> None:
    from apex.assets import Asset

    before = client.get("/sw.js").headers["ETag"]
    assets = app.extensions["apex.assets"]
    css = assets["app.css"]
    app.extensions["apex.assets"] = {**assets, "app.css": Asset(
        "app.0123456789.css", css.mimetype, css.raw, css.gz, css.br)}
    after = client.get("/sw.js")
    assert after.headers["ETag"] != before
    assert "/static/app.0123456789.css" in after.get_data(as_text=True)


def test_a_visitor_has_no_pack(client) -> None:
    assert _pack(client) == {"racer": None, "pages": []}


def test_no_open_event_no_pack(app, alice) -> None:
    body = _pack(alice)
    assert body["racer"] and body["pages"] == []


def test_the_pack_is_the_open_events_race_day_pages(app, alice) -> None:
    event = start_event(app)
    pages = _pack(alice)["pages"]
    assert [(p["name"], p["url"], p["aliases"]) for p in pages] == [
        ("Race Support", f"/race/{event.id}", ["/race/"]),
        ("Event setup", f"/event/{event.id}", []),
        ("Setup sheet", f"/garage/cars/{event.car_id}/sheet", []),
        ("Advisor", f"/advisor/{event.id}", ["/advisor/"]),
        ("Analysis", f"/analysis/{event.id}", []),
        ("Offline", "/offline/", []),
    ]
    for page in pages:  # every page of the pack opens for its racer
        assert alice.get(page["url"]).status_code == 200


def test_a_closed_event_leaves_the_pack(app, alice) -> None:
    event = start_event(app)
    store_of(app).close_event(racer(app), event.id, date.today(), {"rating": 4, "gain": "x"})
    assert _pack(alice)["pages"] == []


def test_every_page_of_a_racer_carries_their_tag_and_no_one_elses(app, client) -> None:
    auth = AuthActions(client)
    auth.signup("alice")
    alice_tag = client.get("/garage/").headers[RACER_HEADER]
    assert _pack(client)["racer"] == alice_tag
    auth.logout()
    assert RACER_HEADER not in client.get("/auth/login").headers
    auth.signup("bob")
    bob_tag = client.get("/garage/").headers[RACER_HEADER]
    assert bob_tag != alice_tag and alice_tag not in bob_tag


def test_static_files_carry_no_tag(alice) -> None:
    page = alice.get("/garage/").get_data(as_text=True)
    css = re.search(r'href="(/static/app\.[0-9a-f]{10}\.css)"', page)[1]
    assert RACER_HEADER not in alice.get(css).headers


def test_offline_page_links_to_the_pack(app, alice) -> None:
    event = start_event(app)
    html = alice.get("/offline/").get_data(as_text=True)
    assert "Kept on this phone" in html
    for url in (f"/race/{event.id}", f"/event/{event.id}", f"/advisor/{event.id}",
                f"/analysis/{event.id}", f"/garage/cars/{event.car_id}/sheet"):
        assert f'href="{url}"' in html


def test_offline_page_for_a_visitor_says_nothing_is_kept(client) -> None:
    html = client.get("/offline/").get_data(as_text=True)
    assert "Nothing is kept yet" in html


def test_manifest_makes_the_app_installable(app, alice) -> None:
    page = alice.get("/garage/").get_data(as_text=True)
    href = re.search(r'<link rel="manifest" href="([^"]+)">', page)[1]
    assert re.fullmatch(r"/manifest\.[0-9a-f]{10}\.webmanifest", href)
    assert '<meta name="theme-color" content="#111111">' in page
    r = alice.get(href)
    assert r.mimetype == "application/manifest+json"
    assert "immutable" in r.headers["Cache-Control"]
    assert "Set-Cookie" not in r.headers
    manifest = json.loads(r.get_data())
    assert manifest["start_url"] == "/race/" and manifest["scope"] == "/"
    assert manifest["display"] == "standalone" and manifest["theme_color"] == "#111111"
    purposes = {(i["sizes"], i["purpose"]) for i in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= purposes
    for icon in manifest["icons"]:
        png = alice.get(icon["src"])
        assert png.status_code == 200 and png.data.startswith(b"\x89PNG")
        width, height = int.from_bytes(png.data[16:20]), int.from_bytes(png.data[20:24])
        assert f"{width}x{height}" == icon["sizes"]


def test_a_stale_manifest_name_is_served_uncached(alice) -> None:
    r = alice.get("/manifest.0000000000.webmanifest")
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-cache"


def test_the_worker_is_named_only_for_a_racer(client, alice, auth) -> None:
    def tag() -> str:
        page = client.get("/garage/").get_data(as_text=True)
        found = re.search(r'<meta name="apex-sw" content="/sw.js" data-racer="([0-9a-f]{20})">',
                          page)
        assert found, page[:400]
        return found[1]

    # The outbox's tag of the racer: theirs alone, and the same after a new login (the
    # writes still waiting on the phone stay theirs).
    alices = tag()
    auth.logout()
    auth.signup("bob")
    assert tag() != alices
    auth.logout()
    auth.login("alice")
    assert tag() == alices


def test_a_visitor_page_names_no_worker(client) -> None:
    assert 'name="apex-sw"' not in client.get("/auth/login").get_data(as_text=True)


def test_event_page_offers_ready_for_the_track_only_while_open(app, alice) -> None:
    event = start_event(app)
    html = alice.get(f"/event/{event.id}").get_data(as_text=True)
    # Hidden until app.js finds a service worker: without one it could do nothing.
    assert re.search(r"<button [^>]*data-pack-ready hidden>Ready for the track</button>", html)


def _outbox_routes(client) -> list[re.Pattern[str]]:
    text = client.get("/sw.js").get_data(as_text=True)
    config = json.loads(re.search(r"const APEX = (\{.*?\});\n", text)[1])
    return [re.compile(r) for r in config["outbox"]]


def test_the_worker_imports_workbox_then_the_outbox(app, client) -> None:
    text = client.get("/sw.js").get_data(as_text=True)
    config = json.loads(re.search(r"const APEX = (\{.*?\});\n", text)[1])
    assets = app.extensions["apex.assets"]
    assert config["imports"] == [*config["workbox"], f"/static/{assets['outbox-sw.js'].name}"]


def test_the_outbox_keeps_the_race_day_writes_and_no_other(client) -> None:
    routes = _outbox_routes(client)

    def kept(path: str) -> bool:
        return any(r.search(path) for r in routes)

    event, run = "0b7a3d1e-1111-4222-8333-944455556666", "1c8b4e2f-1111-4222-8333-944455556666"
    for path in (f"/race/{event}/notes", f"/race/{event}/symptoms", f"/race/{event}/runs",
                 f"/race/{event}/runs/{run}/laps", f"/race/{event}/runs/{run}/confidence",
                 f"/race/{event}/runs/{run}/laps/3/flag", f"/race/{event}/tyres/fresh",
                 f"/event/{event}/setup", f"/advisor/{event}/ask"):
        assert kept(path), path
    for path in ("/auth/login", "/auth/logout", "/event/", f"/event/{event}/close",
                 "/garage/cars", f"/race/{event}/notes/extra", f"/x/race/{event}/notes"):
        assert not kept(path), path


def test_every_page_of_a_racer_loads_the_outbox_and_has_a_sync_light(alice, client) -> None:
    html = alice.get("/garage/").get_data(as_text=True)
    assert re.search(r'<script src="/static/outbox\.[0-9a-f]{10}\.js" defer>', html)
    assert 'id="sync-light"' in html and 'id="outbox-list"' in html
    visitor = client.get("/auth/login").get_data(as_text=True)
    assert "outbox" not in visitor and "sync-light" not in visitor
