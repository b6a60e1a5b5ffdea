"""/healthz reports the store kind and whether it answers."""

from __future__ import annotations

import shutil

from apex import create_app


def test_healthz_ok(client, backend):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "store": backend, "database": True}


def test_healthz_503_when_csv_folder_is_gone(tmp_path):
    app = create_app({"TESTING": True, "DATABASE_URL": None, "APEX_DATA_DIR": str(tmp_path / "d")})
    app.extensions["apex.store"].upgrade()
    shutil.rmtree(tmp_path / "d")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] is False and response.json["store"] == "csv"


def test_healthz_503_when_postgres_is_gone(pg):
    url = pg.create_database("apex_health")
    app = create_app({"TESTING": True, "DATABASE_URL": url})
    try:
        pg.drop_database("apex_health")  # its connections closed: the database is gone
        response = app.test_client().get("/healthz")
        assert response.status_code == 503
        assert response.json == {"status": "unavailable", "store": "postgres", "database": False}
    finally:
        app.extensions["apex.store"].close()
