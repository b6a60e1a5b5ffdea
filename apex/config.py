"""Build the configuration from defaults, then the environment, then a test mapping."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

DEV_SECRET = "apex-development-only-secret"


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def defaults(instance_path: str) -> dict[str, Any]:
    return {
        "DATABASE_URL": None,
        "APEX_DATA_DIR": str(Path(instance_path) / "data"),
        "APEX_ENV": "production",
        "APEX_POOL_MIN": 1,
        # How many reverse proxies (Railway's router, nginx) sit in front of the app.
        "APEX_TRUSTED_PROXIES": 0,
        "APEX_POOL_MAX": 5,
        # Seconds a request may wait for a database connection before it gets the outage
        # page (503): well under gunicorn's timeout (30) and usual proxy timeouts (30 s or more).
        "APEX_POOL_TIMEOUT": 5.0,
        # Seconds to open one PostgreSQL connection (libpq's minimum is 2).
        "APEX_DB_CONNECT_TIMEOUT": 3,
        # Seconds `flask db upgrade`/`init` keep retrying while the database is unreachable.
        "APEX_DB_WAIT": 60.0,
        "SECRET_KEY": None,
        # NOTE: a phone may sit in the pits for hours with a form open.
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_CSRF_SSL_STRICT": False,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        # "Keep me logged in": revocable (logout, password reset), and no longer than this.
        "REMEMBER_COOKIE_DURATION": timedelta(days=30),
        # werkzeug's default (scrypt). Not read from the environment: only a test app
        # (tests/conftest.py) asks for a cheap one, so a suite of thousands of logins runs
        # in minutes; checking a hash reads its method from the hash, so either verifies.
        "PASSWORD_HASH_METHOD": "scrypt",
        # A login not kept by "remember me" ends after this long without a request
        # (checked on the signed cookie's time, so a copied cookie ends too).
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
        # Redis, when set, holds the login limit's counts and Flask-Limiter's.
        "REDIS_URL": None,
        "RATELIMIT_STORAGE_URI": "memory://",
        # Redis down: Flask-Limiter counts in memory meanwhile instead of failing requests.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        # Flask-Limiter's per-address limit: sign-up (and what else asks for it).
        "APEX_LOGIN_LIMIT": "10 per minute;50 per hour",
        # Failed logins allowed before the waits start (apex/login_throttle.py).
        "APEX_LOGIN_FREE_PER_ACCOUNT": 5,
        "APEX_LOGIN_FREE_PER_ADDRESS": 30,
        # Per racer, across theory documents, setup-sheet PDFs and library CSVs.
        "APEX_UPLOAD_LIMIT": "5 per minute;30 per hour",
        # Each untrusted PDF is read in a child process held to these (apex.pdf_worker).
        "APEX_PDF_CPU_SECONDS": 15,
        "APEX_PDF_MEMORY_MB": 1024,
        "APEX_PDF_WALL_SECONDS": 20,  # under gunicorn's 30 s worker timeout
        "COMPRESS_MIMETYPES": [
            "text/html", "text/css", "text/javascript", "application/javascript",
            "application/json", "image/svg+xml", "text/csv", "text/plain",
        ],
        "COMPRESS_ALGORITHM": ["br", "gzip"],
        "COMPRESS_MIN_SIZE": 300,
        # Theory documents may be up to 10 MB, setup-sheet PDFs 5 MB, library CSVs 6 MB:
        # each upload checks its own limit and says so; this only caps the request.
        "MAX_CONTENT_LENGTH": 11 * 1024 * 1024,
    }


def from_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    """Read the variables APEX knows; anything unset keeps its default."""
    found: dict[str, Any] = {}
    for name in ("DATABASE_URL", "SECRET_KEY", "APEX_DATA_DIR", "APEX_ENV",
                 "RATELIMIT_STORAGE_URI", "APEX_LOGIN_LIMIT", "REDIS_URL", "APEX_UPLOAD_LIMIT"):
        if environ.get(name):
            found[name] = environ[name]
    for name in ("APEX_POOL_MIN", "APEX_POOL_MAX", "APEX_TRUSTED_PROXIES",
                 "APEX_DB_CONNECT_TIMEOUT", "APEX_LOGIN_FREE_PER_ACCOUNT",
                 "APEX_LOGIN_FREE_PER_ADDRESS", "APEX_PDF_CPU_SECONDS", "APEX_PDF_MEMORY_MB",
                 "APEX_PDF_WALL_SECONDS", "APEX_CSV_COMPACT_BYTES"):
        if environ.get(name):
            found[name] = int(environ[name])
    for name in ("APEX_POOL_TIMEOUT", "APEX_DB_WAIT"):
        if environ.get(name):
            found[name] = float(environ[name])
    if environ.get("APEX_SESSION_IDLE_MINUTES"):
        found["PERMANENT_SESSION_LIFETIME"] = timedelta(
            minutes=int(environ["APEX_SESSION_IDLE_MINUTES"]))
    if environ.get("APEX_REMEMBER_DAYS"):
        found["REMEMBER_COOKIE_DURATION"] = timedelta(days=int(environ["APEX_REMEMBER_DAYS"]))
    return found


def finish(config: dict[str, Any], *, debug: bool) -> None:
    """Derive settings that depend on the environment; refuse an unsafe production setup."""
    relaxed = debug or config.get("TESTING") or config["APEX_ENV"] == "development"
    if not config.get("SECRET_KEY"):
        if not relaxed:
            raise RuntimeError(
                "SECRET_KEY is not set. Set it to a long random value "
                "(python -c 'import secrets; print(secrets.token_hex(32))'), "
                "or set APEX_ENV=development on your own machine."
            )
        config["SECRET_KEY"] = DEV_SECRET
    # Secure cookies everywhere but on a developer's plain-http machine.
    secure = not relaxed
    config.setdefault("SESSION_COOKIE_SECURE", secure)
    config.setdefault("REMEMBER_COOKIE_SECURE", secure)
    # Several workers or machines: Flask-Limiter's counts must be shared too.
    if config.get("REDIS_URL") and config["RATELIMIT_STORAGE_URI"] == "memory://":
        config["RATELIMIT_STORAGE_URI"] = config["REDIS_URL"]


def load(instance_path: str, test_config: Mapping[str, Any] | None, *, debug: bool) -> dict:
    config = defaults(instance_path)
    config.update(from_environment(os.environ))
    if test_config:
        config.update(test_config)
    finish(config, debug=debug)
    return config
