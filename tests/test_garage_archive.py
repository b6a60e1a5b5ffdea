"""Issue 12 finding 3 over HTTP: "Remove car" archives (history and analysis links keep
working), restore, delete for good behind the typed name, the racer's data export and
account deletion; isolation and CSRF on every new route (both stores)."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from apex.demo import library_rows
from apex.tables import TABLES
from apex.transfer.folder import read_folder
from apex.transfer.racer_zip import README_NAME as NEUTRALISED
from tests.conftest import CAR, EVENT, NB48, PASSWORD, add_car, hx, racer, running_app, store_of


def _history(app, username: str = "alice", **fields: str):
    """A car of ``username`` with a closed event: a run of laps, a change, a note, an audit."""
    store, rid = store_of(app), racer(app, username)
    car = add_car(app, username, **fields)
    event = store.start_event(rid, {**EVENT, "car_id": car.id}, NB48)
    run = store.add_run(rid, event.id, "Q1")
    store.add_laps(rid, run.id, [Decimal("31.5"), Decimal("30.9")])
    store.edit_event_setup(rid, event.id, {"DF": 8000}, source="manual")
    store.add_event_log(rid, event.id, "note", "=HYPERLINK(\"x\")", run_id=run.id)
    store.close_event(rid, event.id, date(2026, 11, 22), {"rating": 4, "gain": "x"})
    return car, event, run


def test_remove_archives_and_keeps_history_and_analysis_links(alice, app):
    car, event, run = _history(app)
    response = alice.post(f"/garage/cars/{car.id}/archive")
    assert response.status_code == 303
    garage = alice.get("/garage/").text
    assert "Archived cars (1)" in garage
    assert f"/garage/cars/{car.id}/restore" in garage
    for url in (f"/analysis/{event.id}", f"/event/{event.id}", "/event/",
                f"/garage/cars/{car.id}/setup", f"/garage/cars/{car.id}/edit"):
        assert alice.get(url).status_code == 200, url
    assert car.id not in alice.get("/event/new").text  # not in the picker
    assert f"{car.label} (archived car)" in alice.get("/event/").text  # its events say so
    rid = racer(app)
    assert len(store_of(app).get_run(rid, run.id).laps) == 2
    assert len(store_of(app).list_event_logs(rid, event.id)) == 1


def test_an_archived_cars_fields_and_shop_master_are_read_only(alice, app):
    car, _event, _run = _history(app)
    alice.post(f"/garage/cars/{car.id}/archive")
    response = alice.post(f"/garage/cars/{car.id}/setup", data={"DF": "12000"})
    assert response.status_code == 422 and "read-only" in response.text
    response = alice.post(f"/garage/cars/{car.id}/edit", data={**CAR, "model": "NT48"})
    assert response.status_code == 422 and "is archived" in response.text
    store, rid = store_of(app), racer(app)
    assert store.get_car_config(rid, car.id).values == NB48
    assert store.get_car(rid, car.id).model == "NB48 2.2"
    assert "read-only" in alice.get(f"/garage/cars/{car.id}/setup").text


def test_a_library_package_is_not_copied_into_an_archived_cars_shop_master(alice, app):
    store = store_of(app)
    store.import_rows({"master_library": library_rows(None)})
    car, _event, _run = _history(app)
    alice.post(f"/garage/cars/{car.id}/archive")
    bid = store.dump_tables()["master_library"][0]["id"]
    response = alice.post(f"/library/{bid}/copy", data={
        "car": car.id, "package": "Suspension", "SO_F": "500"})
    assert response.status_code == 422 and "archived" in response.text
    assert store.get_car_config(racer(app), car.id).values == NB48


def test_an_archived_car_starts_no_event(alice, app):
    car, _event, _run = _history(app)
    alice.post(f"/garage/cars/{car.id}/archive")
    response = alice.post("/event/", data={
        "car_id": car.id, "name": "Spring Cup", "type": "Practice", "start_date": "2026-12-01",
        "track": "Mac's Track", "track_size": "Large", "traction": "High", "surface": "Dry",
        "condition": "Bumpy", "temperature": "18", "practice_rounds": "4",
        "qualifying_rounds": "3", "baseline": "shop"})
    assert response.status_code == 422
    assert "archived" in response.text
    assert len(store_of(app).list_events(racer(app))) == 1


def test_a_car_with_an_open_event_is_not_archived(alice, app):
    car = add_car(app)
    store_of(app).start_event(racer(app), {**EVENT, "car_id": car.id}, NB48)
    response = alice.post(f"/garage/cars/{car.id}/archive")
    assert response.status_code == 422
    assert "close it" in response.text
    assert 'value="NB48 2.2"' in response.text  # the edit form keeps the car's fields
    assert not store_of(app).get_car(racer(app), car.id).archived


def test_restore_puts_the_car_back(alice, app):
    car, _event, _run = _history(app)
    alice.post(f"/garage/cars/{car.id}/archive")
    response = alice.post(f"/garage/cars/{car.id}/restore", headers=hx("cars"))
    assert response.status_code == 200
    assert f"Restored {car.label}" in response.text
    assert [c.id for c in store_of(app).list_cars(racer(app))] == [car.id]


def test_delete_page_shows_what_goes_and_offers_the_export(alice, app):
    car, _event, _run = _history(app)
    alice.post(f"/garage/cars/{car.id}/archive")
    page = alice.get(f"/garage/cars/{car.id}/delete").text
    counts = dict((w, int(n)) for n, w in re.findall(r"<strong>(\d+)</strong> ([a-z ]+)</li>",
                                                     page))
    assert counts == {"events": 1, "runs": 1, "laps": 2, "setup changes": 1, "audits": 1,
                      "notes": 1}
    assert "/garage/export.zip" in page
    assert "Type “Blue” to confirm" in page


def test_delete_with_a_wrong_name_is_refused_and_deletes_nothing(alice, app):
    car, event, _run = _history(app)
    alice.post(f"/garage/cars/{car.id}/archive")
    before = store_of(app).dump_tables()
    response = alice.post(f"/garage/cars/{car.id}/delete", data={"confirm_name": "Red"})
    assert response.status_code == 422
    assert "not the car&#39;s name" in response.text or "not the car's name" in response.text
    assert store_of(app).dump_tables() == before
    fragment = alice.post(f"/garage/cars/{car.id}/delete", data={"confirm_name": ""},
                          headers=hx("delete-car"))
    assert fragment.status_code == 422 and "<html" not in fragment.text


def test_a_car_in_use_is_not_deleted_even_with_its_name(alice, app):
    car, event, _run = _history(app)
    response = alice.post(f"/garage/cars/{car.id}/delete", data={"confirm_name": "Blue"})
    assert response.status_code == 422
    assert store_of(app).get_event(racer(app), event.id) is not None


def test_delete_with_the_name_takes_that_car_only(alice, app, auth, client):
    car, event, _run = _history(app)
    other, other_event, _r = _history(app, nickname="Red")
    auth.logout()
    auth.signup("bob")
    bobs, bob_event, _r = _history(app, "bob")
    auth.logout()
    auth.login("alice")
    alice.post(f"/garage/cars/{car.id}/archive")
    response = alice.post(f"/garage/cars/{car.id}/delete", data={"confirm_name": " bLUE "},
                          headers=hx("delete-car"))
    assert response.status_code == 200 and response.headers["HX-Redirect"] == "/garage/#cars"
    rid, store = racer(app), store_of(app)
    assert store.get_car(rid, car.id) is None
    assert alice.get(f"/analysis/{event.id}").status_code == 404
    assert alice.get(f"/analysis/{other_event.id}").status_code == 200
    assert store.get_event(racer(app, "bob"), bob_event.id) is not None
    notes = store.dump_tables()["track_logs"]
    assert {n["event_id"] for n in notes} == {other_event.id, bob_event.id}


def test_another_racers_car_is_404_on_every_new_route(alice, app, auth):
    auth.logout()
    auth.signup("bob")
    bobs, _event, _run = _history(app, "bob")
    store_of(app).archive_car(racer(app, "bob"), bobs.id)
    auth.logout()
    auth.login("alice")
    for method, url, data in (
            ("post", f"/garage/cars/{bobs.id}/archive", {}),
            ("post", f"/garage/cars/{bobs.id}/restore", {}),
            ("get", f"/garage/cars/{bobs.id}/delete", {}),
            ("post", f"/garage/cars/{bobs.id}/delete", {"confirm_name": "Blue"})):
        assert getattr(alice, method)(url, data=data).status_code == 404, url
    assert store_of(app).get_car(racer(app, "bob"), bobs.id).archived


# -- the racer's export --------------------------------------------------------------------


def test_export_zip_holds_only_the_racers_rows_in_the_export_csv_layout(
        alice, app, auth, tmp_path: Path):
    car, event, _run = _history(app)
    auth.logout()
    auth.signup("bob")
    _history(app, "bob", nickname="Bobs")
    auth.logout()
    auth.login("alice")

    response = alice.get("/garage/export.zip")

    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert sorted(archive.namelist()) == sorted([*(f"{t}.csv" for t in TABLES), NEUTRALISED])
    text = {n: archive.read(n).decode("utf-8") for n in archive.namelist()}
    assert "bob" not in text["users.csv"] and "Bobs" not in text["vehicles.csv"]
    assert "pbkdf2" not in "".join(text.values()) and "scrypt" not in "".join(text.values())
    assert "'=HYPERLINK" in text["track_logs.csv"]  # neutralised for a spreadsheet
    folder = tmp_path / "export"
    archive.extractall(folder)
    rows = read_folder(folder, None)  # the export-csv layout: APEX's own import reads it
    assert [v["id"] for v in rows["vehicles"]] == [car.id]
    assert [e["id"] for e in rows["events"]] == [event.id]
    expected = store_of(app).export_racer(racer(app))
    for table, mine in expected.items():  # the neutralised cells read back as they were
        assert rows[table] == mine, table


def test_the_export_imports_back_changing_nothing_and_keeps_the_password(
        alice, app, tmp_path: Path):
    _history(app)
    folder = tmp_path / "export"
    zipfile.ZipFile(io.BytesIO(alice.get("/garage/export.zip").data)).extractall(folder)
    store = store_of(app)
    before = store.dump_tables()
    report = store.import_rows(read_folder(folder, None))
    assert not report.changed, report
    assert store.dump_tables() == before
    assert store.find_user("alice").password_hash  # not blanked by the export's empty cell


def test_export_csv_header_is_the_store_header():
    from apex.transfer.racer_zip import racer_zip
    archive = zipfile.ZipFile(io.BytesIO(racer_zip({})))
    header = next(csv.reader(io.StringIO(archive.read("vehicles.csv").decode())))
    assert tuple(header) == TABLES["vehicles"]


# -- deleting the account ----------------------------------------------------------------


def test_account_deletion_wants_password_and_username(alice, app):
    _history(app)
    page = alice.get("/garage/account/delete").text
    assert "/garage/export.zip" in page
    for data in ({"password": "wrong-password", "confirm_username": "alice"},
                 {"password": PASSWORD, "confirm_username": "bob"}):
        response = alice.post("/garage/account/delete", data=data)
        assert response.status_code == 422
        assert "nothing was deleted" in response.text
        assert PASSWORD not in response.text
    assert store_of(app).find_user("alice") is not None


def test_account_deletion_takes_everything_and_logs_out(alice, app, auth):
    auth.logout()
    auth.signup("bob")
    _history(app, "bob")
    auth.logout()  # a logout moves bob's session generation: snapshot after it
    bob_rows = store_of(app).export_racer(racer(app, "bob"))
    auth.login("alice")
    _history(app)
    response = alice.post("/garage/account/delete",
                          data={"password": PASSWORD, "confirm_username": "ALICE"})
    assert response.status_code == 303
    assert store_of(app).find_user("alice") is None
    assert alice.get("/garage/").status_code in (302, 303)  # logged out
    assert store_of(app).export_racer(racer(app, "bob")) == bob_rows
    assert [u["username"] for u in store_of(app).dump_tables()["users"]] == ["bob"]


# -- CSRF on every new POST ----------------------------------------------------------------


@pytest.fixture
def csrf_app(store_config):
    with running_app(store_config) as app:  # CSRF on, as in production
        yield app


def test_every_new_post_wants_the_csrf_token(csrf_app):
    from tests.test_csrf import signed_up_client
    client = signed_up_client(csrf_app)
    store, rid = store_of(csrf_app), racer(csrf_app)
    car = store.add_car(rid, CAR, NB48)
    for url, data in ((f"/garage/cars/{car.id}/archive", {}),
                      (f"/garage/cars/{car.id}/restore", {}),
                      (f"/garage/cars/{car.id}/delete", {"confirm_name": "Blue"}),
                      ("/garage/account/delete", {"password": PASSWORD,
                                                  "confirm_username": "alice"})):
        assert client.post(url, data=data).status_code == 400, url
    assert store.get_car(rid, car.id) is not None and not store.get_car(rid, car.id).archived
    assert store.find_user("alice") is not None
