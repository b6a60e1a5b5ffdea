"""`flask db …` commands on both stores."""

from __future__ import annotations

from apex.demo import DEMO_PASSWORD, DEMO_USERNAME


def test_db_upgrade_is_idempotent(runner):
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0
    assert "nothing to do" in result.output


def test_db_init_on_an_upgraded_store_changes_nothing(runner):
    assert "nothing to do" in runner.invoke(args=["db", "init"]).output


def test_db_status_lists_everything_applied(runner, backend):
    result = runner.invoke(args=["db", "status"])
    assert result.exit_code == 0
    assert f"store: {backend}" in result.output
    assert "pending" not in result.output and "applied" in result.output


def test_seed_demo_creates_a_racer_once(runner, client, app):
    first = runner.invoke(args=["db", "seed-demo"])
    assert f"created: log in as {DEMO_USERNAME} / {DEMO_PASSWORD}" in first.output
    second = runner.invoke(args=["db", "seed-demo"])
    assert "already there" in second.output
    response = client.post("/auth/login", data={"login": DEMO_USERNAME,
                                                "password": DEMO_PASSWORD})
    assert response.status_code == 303
    racer = app.extensions["apex.store"].find_user(DEMO_USERNAME).racer_id
    assert len(app.extensions["apex.store"].list_cars(racer)) == 2
