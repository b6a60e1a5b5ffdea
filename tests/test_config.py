"""Configuration: production refuses to start unsafely; cookies are locked down."""

from __future__ import annotations

import pytest

from apex import create_app


def test_production_requires_secret_key(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("APEX_ENV", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY is not set"):
        create_app({"APEX_DATA_DIR": str(tmp_path), "DATABASE_URL": None})


def test_production_cookies_are_secure_httponly_lax(monkeypatch, tmp_path):
    monkeypatch.delenv("APEX_ENV", raising=False)
    app = create_app({"APEX_DATA_DIR": str(tmp_path), "DATABASE_URL": None,
                      "SECRET_KEY": "s" * 32})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["REMEMBER_COOKIE_SAMESITE"] == "Lax"


def test_development_allows_plain_http_cookies(monkeypatch, tmp_path):
    monkeypatch.setenv("APEX_ENV", "development")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    app = create_app({"APEX_DATA_DIR": str(tmp_path), "DATABASE_URL": None})
    assert app.config["SESSION_COOKIE_SECURE"] is False


def test_database_url_chooses_postgres(pg_url, tmp_path):
    app = create_app({"TESTING": True, "DATABASE_URL": pg_url})
    try:
        assert app.extensions["apex.store"].kind == "postgres"
    finally:
        app.extensions["apex.store"].close()


def test_no_database_url_chooses_csv(tmp_path):
    app = create_app({"TESTING": True, "DATABASE_URL": None, "APEX_DATA_DIR": str(tmp_path)})
    assert app.extensions["apex.store"].kind == "csv"


def test_malformed_database_url_fails_at_start():
    # A database that does not answer does not stop the app starting (tests/test_outage.py);
    # a URL that cannot name one does.
    with pytest.raises(ValueError, match="DATABASE_URL is not a PostgreSQL URL"):
        create_app({"TESTING": True, "DATABASE_URL": "mysql://apex@db.example/apex"})


def test_outage_settings_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("APEX_POOL_TIMEOUT", "2.5")
    monkeypatch.setenv("APEX_DB_CONNECT_TIMEOUT", "4")
    monkeypatch.setenv("APEX_DB_WAIT", "90")
    app = create_app({"TESTING": True, "DATABASE_URL": None, "APEX_DATA_DIR": str(tmp_path)})
    assert app.config["APEX_POOL_TIMEOUT"] == 2.5
    assert app.config["APEX_DB_CONNECT_TIMEOUT"] == 4
    assert app.config["APEX_DB_WAIT"] == 90.0
