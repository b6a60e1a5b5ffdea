"""The offline layer's server side: the service worker, the race-day pack, the manifest.

- ``/sw.js``: the service worker, at the root so its scope is the whole app. Its text
  carries the fingerprinted name of every static file (all precached) and a version
  made of those names and its own source, so a deploy that changes any file changes
  the worker's bytes and phones take the new one by themselves (no reload loop).
- ``/offline/pack``: which pages of the racer's open event a phone keeps (JSON; empty
  when logged out or no event is open), and the racer's tag (below).
- ``/offline/``: the page a phone shows offline for a page it does not keep, with links
  to those it does.
- ``/manifest.<digest>.webmanifest``: the web app manifest (installable: icons,
  theme colour, ``start_url`` on Race Support), fingerprinted like a static file.

Every response to a logged-in racer carries ``X-Apex-Racer``, an opaque tag of the
racer: the service worker keeps only pages tagged with the pack's racer and drops
them all when a page comes with another tag or none (someone else logged in, or
logged out), so one racer's pages are never shown to another.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import re
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, Response, current_app, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from apex.db import get_store
from apex.templating import per_app

bp = Blueprint("offline", __name__, url_prefix="/offline")

SW_TEMPLATE = "offline/sw.js"
RACER_HEADER = "X-Apex-Racer"
THEME = "#111111"  # the header bar: the status bar of the installed app matches it
BACKGROUND = "#f4f4f2"
# Workbox, vendored from the npm registry (npm pack workbox-<module>@7.4.1), loaded by the
# worker with importScripts in this order (each module extends ``self.workbox``).
WORKBOX = tuple(f"vendor/workbox-7.4.1/workbox-{m}.prod.js"
                for m in ("core", "routing", "strategies", "precaching"))
ICONS = (  # (file under static/, size, purpose)
    ("icons/icon-192.png", 192, "any"),
    ("icons/icon-512.png", 512, "any"),
    ("icons/maskable-512.png", 512, "maskable"),
)
APPLE_ICON = "icons/apple-touch-icon.png"
# The outbox (issue 16): the worker keeps a race-day write made offline (outbox-sw.js);
# outbox.js, in every page, shows the sync light and asks the worker to send.
OUTBOX_WORKER = "outbox-sw.js"
# The writes the outbox keeps: every POST of Race Support and the Advisor, and the event
# setup's save. Other writes (log in, start or close an event, the garage) need the server.
OUTBOX_BLUEPRINTS = ("race", "advisor")
OUTBOX_ENDPOINTS = ("event.save_event_setup",)


def racer_tag(user_id: str) -> str:
    """An opaque, stable tag of one racer (not their id): keyed by the app's secret."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"pack:{user_id}".encode(), hashlib.sha256).hexdigest()[:20]


def outbox_tag() -> str:
    """The logged-in racer's tag on the writes their pages leave in the outbox. Unlike
    ``racer_tag`` of the login id, it outlives a new login or "log out everywhere": the
    writes still waiting are theirs when they log in again."""
    return racer_tag(f"outbox:{current_user.user.id}")


def _tag_response(response: Response) -> Response:
    # NOTE: only the pages the service worker keeps or judges (200, HTML): their view has
    # loaded the racer already. Asking for the racer here on every answer would load it
    # for /livez too, which must answer without the store while PostgreSQL is down.
    if response.status_code == 200 and response.mimetype == "text/html" \
            and current_user.is_authenticated:
        response.headers[RACER_HEADER] = racer_tag(current_user.get_id())
    return response


# --- the race-day pack ---------------------------------------------------------------------

def pack_pages(racer_id: str) -> list[dict[str, Any]]:
    """The pages of the racer's open event a phone keeps (most recent open event)."""
    store = get_store()
    event = next((e for e in store.list_events(racer_id) if e.is_active), None)
    if event is None:
        return []
    pages = [
        {"name": "Race Support", "url": url_for("race.show", event_id=event.id),
         "aliases": [url_for("race.current")]},
        {"name": "Event setup", "url": url_for("event.show_event", event_id=event.id),
         "aliases": []},
        {"name": "Setup sheet", "url": url_for("garage.show_sheet", car_id=event.car_id),
         "aliases": []},
        {"name": "Advisor", "url": url_for("advisor.show", event_id=event.id),
         "aliases": [url_for("advisor.current")]},
        {"name": "Analysis", "url": url_for("analysis.show_event", event_id=event.id),
         "aliases": []},
    ]
    return [{**p, "event": event.name} for p in pages]


@bp.get("/pack")
def pack() -> ResponseReturnValue:
    """What the service worker keeps for this racer; nothing for a visitor."""
    if not current_user.is_authenticated:
        body: dict[str, Any] = {"racer": None, "pages": []}
    else:
        pages = pack_pages(current_user.racer_id)
        if pages:  # the offline page lists what is kept, so it is kept too
            pages.append({"name": "Offline", "url": url_for("offline.offline_page"),
                          "aliases": [], "event": pages[0]["event"]})
        body = {"racer": racer_tag(current_user.get_id()), "outbox": outbox_tag(),
                "pages": pages}
    response = current_app.json.response(body)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/")
def offline_page() -> ResponseReturnValue:
    """Shown by the service worker, offline, for a page the phone does not keep."""
    pages = pack_pages(current_user.racer_id) if current_user.is_authenticated else []
    return render_template("offline/index.html", pages=pages)


def outbox_routes(app: Flask) -> list[str]:
    """The paths of the writes the outbox keeps, as anchored regular expressions (sorted)."""
    found = set()
    for rule in app.url_map.iter_rules():
        blueprint = rule.endpoint.partition(".")[0]
        if "POST" in (rule.methods or ()) and (
                blueprint in OUTBOX_BLUEPRINTS or rule.endpoint in OUTBOX_ENDPOINTS):
            parts = re.split(r"<[^>]+>", rule.rule)
            found.add("^" + "[^/]+".join(re.escape(p) for p in parts) + "$")
    return sorted(found)


# --- the service worker and the manifest --------------------------------------------------------

@functools.cache
def _sw_source(root: str) -> str:
    return (Path(root) / SW_TEMPLATE).read_text(encoding="utf-8")


def service_worker_script() -> tuple[str, str]:
    """The worker's text and its version (a digest of every asset name and its source)."""
    assets = current_app.extensions["apex.assets"]
    precache = sorted("/static/" + a.name for a in assets.values())
    source = _sw_source(str(Path(current_app.root_path) / "templates"))
    version = hashlib.sha256(
        "\n".join([*precache, source]).encode()).hexdigest()[:12]
    config = {
        "version": version,
        "precache": precache,
        "workbox": ["/static/" + assets[name].name for name in WORKBOX],
        # imported in this order: Workbox, then the outbox (which uses it)
        "imports": ["/static/" + assets[name].name for name in (*WORKBOX, OUTBOX_WORKER)],
        "outbox": outbox_routes(current_app),
        "pack": url_for("offline.pack"),
        "offline": url_for("offline.offline_page"),
        "racerHeader": RACER_HEADER,
        "css": "/static/" + assets["app.css"].name,
    }
    text = render_template(SW_TEMPLATE, config=json.dumps(config, separators=(",", ":")))
    return text, version


def service_worker() -> ResponseReturnValue:
    """``/sw.js``: never cached by HTTP (the browser checks it for updates), ETag'd so an
    unchanged worker costs a 304."""
    text, version = service_worker_script()
    response = Response(text, content_type="text/javascript; charset=utf-8")
    response.headers["Cache-Control"] = "no-cache"
    response.set_etag(version)
    return response.make_conditional(request)


def manifest_body() -> bytes:
    assets = current_app.extensions["apex.assets"]
    body = {
        "id": "/",
        "name": "APEX race engineer",
        "short_name": "APEX",
        "description": "Race-day notebook for RC racers: notes, laps, setup, advice.",
        "start_url": url_for("race.current"),
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "theme_color": THEME,
        "background_color": BACKGROUND,
        "icons": [{"src": "/static/" + assets[path].name, "sizes": f"{size}x{size}",
                   "type": "image/png", "purpose": purpose} for path, size, purpose in ICONS],
    }
    return json.dumps(body, indent=1).encode()


def manifest_url() -> str:
    """The manifest's URL, its digest in it: the same for every page (``per_app``)."""
    def made() -> str:
        return url_for("webmanifest", digest=hashlib.sha256(manifest_body()).hexdigest()[:10])
    return per_app("manifest", made)


def webmanifest(digest: str) -> ResponseReturnValue:
    body = manifest_body()
    response = Response(body, content_type="application/manifest+json")
    if hashlib.sha256(body).hexdigest()[:10] == digest:
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    else:
        response.headers["Cache-Control"] = "no-cache"  # a page from before a deploy
    return response


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.add_url_rule("/sw.js", endpoint="service_worker", view_func=service_worker)
    app.add_url_rule("/manifest.<digest>.webmanifest", endpoint="webmanifest",
                     view_func=webmanifest)
    app.after_request(_tag_response)
    # The outbox keeps each racer's writes apart on a shared phone (static/outbox.js).
    app.jinja_env.globals["outbox_tag"] = outbox_tag
    app.jinja_env.globals["manifest_url"] = manifest_url
    app.jinja_env.globals["apple_icon"] = APPLE_ICON
    app.jinja_env.globals["theme_colour"] = THEME
