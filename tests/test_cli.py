"""`flask db …` and `flask user …` commands on both stores."""

from __future__ import annotations

from werkzeug.security import check_password_hash

from apex.demo import DEMO_PASSWORD, DEMO_USERNAME
from apex.stores.csv import CsvStore

NEW_PASSWORD = "another-long-password\n"


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


def test_seed_demo_creates_a_racer_two_cars_and_a_library_once(runner, client, app):
    first = runner.invoke(args=["db", "seed-demo"])
    assert f"created: log in as {DEMO_USERNAME} / {DEMO_PASSWORD}" in first.output
    assert "library baselines: 12 added" in first.output
    second = runner.invoke(args=["db", "seed-demo"])
    assert "already there" in second.output and "0 added, 12 already there" in second.output
    response = client.post("/auth/login", data={"login": DEMO_USERNAME,
                                                "password": DEMO_PASSWORD})
    assert response.status_code == 303
    store = app.extensions["apex.store"]
    racer_id = store.find_user(DEMO_USERNAME).racer_id
    assert len(store.list_cars(racer_id)) == 2
    # A race day under way, so every tab has something to show.
    (event,) = store.list_events(racer_id)
    runs = store.list_runs(racer_id, event.id)
    assert event.is_active and [len(r.laps) for r in runs] == [12, 12, 12]
    assert [c.parameter for c in store.list_changes(racer_id, event.id)] == [
        "SO_F", "SO_R", "DF"]  # the advice taken after Practice 1 and 2 (tests/test_demo.py)
    assert len(store.list_event_logs(racer_id, event.id)) == 5  # 3 notes, 2 symptoms
    library = store.dump_tables()["master_library"]
    assert len(library) == 12 and len({r["track"] for r in library}) >= 4


def test_user_create_with_password_from_stdin(runner, app):
    result = runner.invoke(args=["user", "create", "marshal", "--email", "m@example.com",
                                 "--admin", "--password-stdin"], input=NEW_PASSWORD)
    assert result.exit_code == 0, result.output
    user = app.extensions["apex.store"].find_user("marshal")
    assert user.is_admin and check_password_hash(user.password_hash, NEW_PASSWORD.strip())
    assert app.extensions["apex.store"].get_profile(user.racer_id) is not None


def test_user_create_refuses_a_short_password_and_a_taken_name(runner, app):
    short = runner.invoke(args=["user", "create", "x1", "--email", "x@example.com",
                                "--password-stdin"], input="short\n")
    assert short.exit_code != 0 and "at least 10 characters" in short.output
    runner.invoke(args=["user", "create", "x1", "--email", "x@example.com",
                        "--password-stdin"], input=NEW_PASSWORD)
    taken = runner.invoke(args=["user", "create", "X1", "--email", "y@example.com",
                                "--password-stdin"], input=NEW_PASSWORD)
    assert taken.exit_code != 0 and "That username is taken." in taken.output


def test_user_create_prompts_twice_for_the_password(runner, app):
    result = runner.invoke(args=["user", "create", "p1", "--email", "p@example.com"],
                           input=NEW_PASSWORD * 2)
    assert result.exit_code == 0, result.output
    assert app.extensions["apex.store"].find_user("p1") is not None


def test_set_admin_and_revoke(runner, app, auth):
    auth.signup("alice")
    assert runner.invoke(args=["user", "set-admin", "alice"]).exit_code == 0
    assert app.extensions["apex.store"].find_user("alice").is_admin
    runner.invoke(args=["user", "set-admin", "alice", "--revoke"])
    assert not app.extensions["apex.store"].find_user("alice").is_admin
    missing = runner.invoke(args=["user", "set-admin", "nobody"])
    assert missing.exit_code != 0 and "no user 'nobody'" in missing.output


def test_reset_password_lets_the_racer_log_in_with_the_new_one(runner, client, auth):
    auth.signup("alice")
    auth.logout()
    result = runner.invoke(args=["user", "reset-password", "alice", "--password-stdin"],
                           input=NEW_PASSWORD)
    assert result.exit_code == 0, result.output
    assert auth.login("alice").status_code == 422  # the old password no longer works
    assert auth.login("alice", NEW_PASSWORD.strip()).status_code == 303


def test_export_csv_writes_a_csv_store_with_the_same_rows(runner, app, auth, tmp_path):
    auth.signup("alice")
    runner.invoke(args=["db", "seed-demo"])
    result = runner.invoke(args=["db", "export-csv", str(tmp_path / "backup")])
    assert result.exit_code == 0, result.output
    assert "APEX_DATA_DIR=" in result.output
    exported = CsvStore(tmp_path / "backup").dump_tables()
    original = app.extensions["apex.store"].dump_tables()
    for table, rows in original.items():
        key = "id"
        assert sorted(exported[table], key=lambda r: str(r[key])) == \
            sorted(rows, key=lambda r: str(r[key])), table


def test_export_csv_refuses_a_folder_with_csv_files(runner, tmp_path):
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "users.csv").write_text("x\n")
    result = runner.invoke(args=["db", "export-csv", str(tmp_path / "old")])
    assert result.exit_code != 0 and "already holds CSV files" in result.output
