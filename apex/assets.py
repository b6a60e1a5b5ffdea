"""Fingerprinted static files: ``app.css`` is served as ``app.<hash>.css``, cached a year.

A changed file gets a new name, so phones never run stale CSS/JS yet never
re-download an unchanged one. Files are small and few, so each is read and
compressed (brotli, gzip) once at start-up instead of on every request.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path

import brotli
from flask import Blueprint, Flask, Response, abort, current_app, request
from flask.typing import ResponseReturnValue

from apex.session_cookie import SessionCookie

STATIC_DIR = Path(__file__).parent / "static"
YEAR = 365 * 24 * 3600
_HASHED = re.compile(r"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{10})(?P<suffix>\.[a-z0-9]+)$")

bp = Blueprint("assets", __name__)


@dataclass(frozen=True)
class Asset:
    name: str  # the fingerprinted name
    mimetype: str
    raw: bytes
    gz: bytes
    br: bytes


@functools.cache
def load_assets(root: Path = STATIC_DIR) -> dict[str, Asset]:
    """Every static file by its plain name, with its fingerprint and compressed bodies.

    Cached per process: the files only change with a deploy (a new process), and
    brotli at its best level is too slow to repeat for every app a test builds.
    """
    assets: dict[str, Asset] = {}
    for path in sorted(root.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(root).as_posix()
        raw = path.read_bytes()
        digest = hashlib.sha256(raw).hexdigest()[:10]
        stem, _, suffix = rel.rpartition(".")
        mimetype = mimetypes.guess_type(rel)[0] or "application/octet-stream"
        if mimetype.startswith("text/") or mimetype.endswith("javascript"):
            mimetype += "; charset=utf-8"
        assets[rel] = Asset(f"{stem}.{digest}.{suffix}", mimetype, raw,
                            gzip.compress(raw, 9, mtime=0), brotli.compress(raw, quality=11))
    return assets


def asset_url(filename: str) -> str:
    return "/static/" + current_app.extensions["apex.assets"][filename].name


def _pick_body(asset: Asset) -> tuple[bytes, str | None]:
    accepted = request.accept_encodings
    if accepted["br"] and len(asset.br) < len(asset.raw):
        return asset.br, "br"
    if accepted["gzip"] and len(asset.gz) < len(asset.raw):
        return asset.gz, "gzip"
    return asset.raw, None


@bp.get("/static/<path:name>")
def static_file(name: str) -> ResponseReturnValue:
    match = _HASHED.match(name)
    if not match:
        abort(404)
    asset = current_app.extensions["apex.assets"].get(f"{match['stem']}{match['suffix']}")
    if asset is None:
        abort(404)
    body, encoding = _pick_body(asset)
    response = Response(body, content_type=asset.mimetype)
    if encoding:
        response.headers["Content-Encoding"] = encoding
    response.vary.add("Accept-Encoding")
    if asset.name == name:
        response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    else:
        # A page from before a deploy asks for the old name: serve today's file, uncached.
        response.headers["Cache-Control"] = "no-cache"
    return response


def init_app(app: Flask) -> None:
    # Static files, the service worker and the manifest are the same for everyone: no
    # cookie, no ``Vary: Cookie`` (flask-login reads the session after every request).
    app.session_interface = SessionCookie(cookieless=(bp.name, "service_worker", "webmanifest"))
    app.extensions["apex.assets"] = load_assets()
    app.jinja_env.globals["asset_url"] = asset_url
    app.register_blueprint(bp)
