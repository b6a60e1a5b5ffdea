"""/healthz: is the app up, and does its store answer?"""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from apex.db import get_store

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    store = get_store()
    ok = store.ping()
    body = {"status": "ok" if ok else "unavailable", "store": store.kind, "database": ok}
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response, 200 if ok else 503
