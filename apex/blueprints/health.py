"""Health checks: /livez (is this process up?) and /healthz (can it serve: does the store
answer?). Neither uses the request pool: /healthz checks PostgreSQL over a direct
connection with a short connect timeout, so it answers fast during an outage."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from apex.db import get_store

bp = Blueprint("health", __name__)


@bp.get("/livez")
def livez() -> ResponseReturnValue:
    """Liveness: the process answers HTTP. No database: an outage must not get the app
    restarted, since a restart cannot bring the database back."""
    response = jsonify({"status": "ok"})
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    store = get_store()
    ok = store.ping()
    body = {"status": "ok" if ok else "unavailable", "store": store.kind, "database": ok}
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response, 200 if ok else 503
