"""The Setup Library tab over HTTP, on both stores."""

from __future__ import annotations

import io
import re

import pytest

from apex.catalogue import ELECTRIC, NITRO, PARAMS, PRESETS, format_value
from apex.demo import library_rows
from tests.conftest import add_car, hx, racer, store_of
from tests.pdf_helpers import sheet

NB48, NT48 = PRESETS["Tekno NB48 2.2"], PRESETS["Tekno NT48 2.2"]
FIELDS = {"track": "Hangtown", "brand": "Tekno", "vehicle": "NB48 2.2",
          "condition": "Bumpy, Dusty", "date": "2025-11-20", "source": "Pro Sheet",
          "driver_name": "Ty Tessmann", "notes": ""}


def form_of(values: dict, **fields: str) -> dict:
    return {**FIELDS, **{p.key: format_value(p, values[p.key]) for p in PARAMS}, **fields}


@pytest.fixture
def library(app):
    """The demo library's dozen baselines (nobody's: imported)."""
    store_of(app).import_rows({"master_library": library_rows(None)})
    return store_of(app)


@pytest.fixture
def alice(alice, app):
    """conftest's alice, with a plain NB48 (no nickname) on its preset."""
    add_car(app, nickname="", class_name="", transponder="")
    return alice


def alices_car(app):
    return store_of(app).list_cars(racer(app))[0]


def baseline_id(app, track: str, vehicle: str) -> int:
    rows = store_of(app).dump_tables()["master_library"]
    return next(r["id"] for r in rows if r["track"] == track and r["vehicle"] == vehicle)


# --- browse and search -------------------------------------------------------------------

def test_library_lists_newest_first_with_credit(alice, library):
    text = alice.get("/library/").text
    assert "12 baselines" in text
    first = re.findall(r"<strong>([^<]+)</strong>\s*<span>([^<]+)</span>", text)[0]
    assert first == ("Thunder Alley", "Associated RC8B4 · 2025-11-16")


def test_search_is_a_fragment_for_htmx_and_a_page_otherwise(alice, library):
    fragment = alice.get("/library/?q=mac+tra", headers=hx("results"))
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert "3 baselines" in fragment.text
    page = alice.get("/library/?q=mac+tra")
    assert "<!doctype html>" in page.text and 'value="mac tra"' in page.text


@pytest.mark.parametrize(("args", "count"), [
    ("brand=Tekno", 6), ("brand=Tekno&vehicle=NB48+2.2", 3), ("track=Silver+Dollar", 2),
    ("date_from=2025-09-01&date_to=2025-10-31", 5), ("q=montr", 2), ("q=nothing+here", 0),
])
def test_filters_narrow_the_search(alice, library, args, count):
    text = alice.get(f"/library/?{args}", headers=hx("results")).text
    assert f"{count} baseline" in text


def test_bad_search_argument_is_422_with_a_message(alice, library):
    response = alice.get("/library/?date_from=yesterday")
    assert response.status_code == 422 and "Use a date." in response.text


def test_pages_link_to_each_other_keeping_the_search(alice, app):
    store_of(app).import_rows({"master_library": [
        {**library_rows(None)[0], "track": f"Track {i:02}"} for i in range(45)]})
    text = alice.get("/library/?q=track").text
    assert "Page 1 of 3" in text and "/library/?page=2&amp;q=track" in text


def test_open_a_baseline_as_a_sheet(alice, library, app):
    bid = baseline_id(app, "Circuit du Lac — Montréal", "XB8")
    text = alice.get(f"/library/{bid}").text
    assert "Élodie &#34;Lo&#34; Martin" in text or "Élodie &quot;Lo&quot; Martin" in text
    for group in ("Diffs", "Suspension", "Geometry", "Tires", "Power"):
        assert f"<caption>{group}</caption>" in text
    assert alice.get("/library/99999").status_code == 404


# --- add, edit, delete -------------------------------------------------------------------

def test_add_a_baseline_by_hand(alice, app):
    response = alice.post("/library/new", data=form_of(NB48))
    assert response.status_code == 303
    row = store_of(app).dump_tables()["master_library"][0]
    assert (row["track"], row["driver_name"], row["submitted_by"]) == \
        ("Hangtown", "Ty Tessmann", racer(app))
    assert {p.key: row[p.key] for p in PARAMS} == NB48
    assert "added by alice" in alice.get(response.headers["Location"]).text


@pytest.mark.parametrize(("field", "value", "message"), [
    ("track", "", "Enter the track."), ("date", "20/11/2025", "Enter a date like 2025-11-02."),
    ("source", "My mate", "Pick a source."), ("DF", "7100", "Must be in steps of 500 cSt"),
])
def test_bad_baseline_is_422_keeps_what_was_typed_and_saves_nothing(alice, app, field, value,
                                                                    message):
    response = alice.post("/library/new", data=form_of(NB48, **{field: value}))
    assert response.status_code == 422 and message in response.text
    assert 'value="Ty Tessmann"' in response.text
    assert store_of(app).dump_tables()["master_library"] == []


def test_duplicate_baseline_is_refused(alice, app):
    alice.post("/library/new", data=form_of(NB48))
    response = alice.post("/library/new", data=form_of(NT48))
    assert response.status_code == 422 and "already in the library" in response.text
    assert len(store_of(app).dump_tables()["master_library"]) == 1


def test_edit_and_delete_my_own_baseline(alice, app):
    alice.post("/library/new", data=form_of(NB48))
    bid = baseline_id(app, "Hangtown", "NB48 2.2")
    assert alice.get(f"/library/{bid}/edit").status_code == 200
    assert alice.post(f"/library/{bid}/edit", data=form_of(NB48, notes="Dry line")
                      ).status_code == 303
    assert store_of(app).get_library_baseline(bid).notes == "Dry line"
    assert alice.post(f"/library/{bid}/delete").status_code == 303
    assert store_of(app).get_library_baseline(bid) is None


def test_someone_elses_baseline_cannot_be_edited_or_deleted(client, auth, app):
    auth.signup("bob")
    client.post("/library/new", data=form_of(NB48))
    bid = baseline_id(app, "Hangtown", "NB48 2.2")
    auth.logout()
    auth.signup("alice")
    assert client.get(f"/library/{bid}").status_code == 200  # everyone reads it
    assert client.get(f"/library/{bid}/edit").status_code == 404
    assert client.post(f"/library/{bid}/edit", data=form_of(NT48)).status_code == 404
    assert client.post(f"/library/{bid}/delete").status_code == 404
    assert store_of(app).get_library_baseline(bid).values == NB48


def test_promote_my_shop_master(alice, app):
    car = alices_car(app)
    assert alice.get(f"/library/promote?car={car.id}").status_code == 200
    response = alice.post("/library/promote", data={
        "car_id": car.id, "track": "Hangtown", "condition": "Dry", "date": "2025-11-20",
        "source": "User Upload"})
    assert response.status_code == 303
    row = store_of(app).dump_tables()["master_library"][0]
    assert (row["brand"], row["vehicle"]) == ("Tekno", "NB48 2.2")
    assert {p.key: row[p.key] for p in PARAMS} == NB48


def test_promote_someone_elses_car_is_404(client, auth, app):
    auth.signup("bob")
    client.post("/garage/cars", data={"brand": "Tekno", "model": "NT48 2.2"})
    bobs = store_of(app).list_cars(racer(app, "bob"))[0]
    auth.logout()
    auth.signup("alice")
    response = client.post("/library/promote", data={
        "car_id": bobs.id, "track": "X", "date": "2025-11-20", "source": "Other"})
    assert response.status_code == 404
    assert store_of(app).dump_tables()["master_library"] == []


# --- compare, copy a package, community ranges -------------------------------------------

NITRO_FIELDS = sum(p.fits(NITRO) for p in PARAMS)


def test_compare_a_baseline_with_my_car(alice, library, app):
    bid = baseline_id(app, "Silver Dollar", "NT48 2.2")
    text = alice.get(f"/library/compare?a=lib:{bid}&b=car:{alices_car(app).id}").text
    # A nitro baseline and a nitro car compare on the nitro fields (no Pinion row).
    assert re.search(rf"\d+ of {NITRO_FIELDS} set on both match", text)
    assert "Suspension" in text and "cSt" in text and ">Pinion<" not in text
    assert "\u2212" in text or "+" in text  # signed deltas


def test_compare_two_library_baselines(alice, library, app):
    a = baseline_id(app, "Thunder Alley", "NB48 2.2")
    text = alice.get(f"/library/compare?a=lib:{a}&b_lib={a}").text
    assert f"{NITRO_FIELDS} of {NITRO_FIELDS} set on both match" in text


def test_compare_a_nitro_baseline_with_an_electric_car_shows_every_field(alice, library, app):
    store = store_of(app)
    car = store.add_car(racer(app), {"brand": "Tekno", "model": "EB48 2.2", "power": ELECTRIC},
                        PRESETS["Tekno EB48 2.2"])
    bid = baseline_id(app, "Silver Dollar", "NT48 2.2")
    text = alice.get(f"/library/compare?a=lib:{bid}&b=car:{car.id}").text
    # The EB48 preset sets only its four electric fields, the baseline only nitro ones:
    # nothing is set on both, so nothing is counted as a match.
    assert "nothing set on both" in text and " match<" not in text
    assert ">Pinion<" in text and ">Venturi<" in text


def test_compare_blank_on_both_sides_is_not_set_and_left_out_of_the_count(alice, app):
    store = store_of(app)
    mine = alices_car(app)
    blanks = {"SP_F": None, "SP_R": None, "Tread": None}
    store.change_car_config(racer(app), mine.id, blanks, "blank three")
    other = store.add_car(racer(app), {"brand": "Tekno", "model": "NT48 2.2"},
                          {**NT48, **blanks, "Compound": None})
    text = alice.get(f"/library/compare?a=car:{mine.id}&b=car:{other.id}").text
    cells = re.sub(r"\s+", " ", text)
    # 26 nitro fields, 3 blank on both, Compound on one side only: 22 set on both, of
    # which Toe_F, Toe_R, C_F, C_R, Pipe and Bell match.
    assert "6 of 22 set on both match" in cells
    assert '<tr class="unset"> <th scope="row">Front spring</th> <td colspan="2">not set</td>' \
        in cells
    assert "Tires <span class=\"count\">0 of 0" not in cells
    assert "Tires <span class=\"count\">nothing set on both</span>" in cells
    assert 'class="diff"> <th scope="row">Tyre compound</th> <td>Green</td> <td>—</td>' in cells
    # a row names its parameter by label (never a code) once; its delta is the value alone
    assert '<th scope="row">Front shock oil</th>' in cells and "SO_F" not in cells
    assert '<strong class="delta">+150 cSt</strong>' in cells


def test_compare_with_someone_elses_car_is_404(client, auth, app, library):
    auth.signup("bob")
    client.post("/garage/cars", data={"brand": "Tekno", "model": "NT48 2.2"})
    bobs = store_of(app).list_cars(racer(app, "bob"))[0]
    auth.logout()
    auth.signup("alice")
    bid = baseline_id(app, "Silver Dollar", "NT48 2.2")
    assert client.get(f"/library/compare?a=lib:{bid}&b=car:{bobs.id}").status_code == 404


def test_copy_a_package_through_staging(alice, library, app):
    car = alices_car(app)
    bid = baseline_id(app, "Silver Dollar", "NT48 2.2")
    staging = alice.get(f"/library/{bid}/copy?car={car.id}&package=Suspension").text
    assert re.search(r"\d of 8 will change", staging)
    source = store_of(app).get_library_baseline(bid).values
    suspension = [p for p in PARAMS if p.group == "Suspension"]
    form = {"car": car.id, "package": "Suspension",
            **{p.key: format_value(p, source[p.key]) for p in suspension}}
    response = alice.post(f"/library/{bid}/copy", data=form)
    assert response.status_code == 303
    after = store_of(app).get_car_config(racer(app), car.id).values
    for p in PARAMS:
        assert after[p.key] == (source[p.key] if p.group == "Suspension" else NB48[p.key])
    log = store_of(app).list_track_logs(racer(app))[0]
    assert log.kind == "change" and f"Copied Suspension from library #{bid}" in log.note
    assert "Front shock oil 450 cSt → 500 cSt" in log.note  # labels, not codes


def test_copy_with_an_edited_bad_value_is_422_and_changes_nothing(alice, library, app):
    car = alices_car(app)
    bid = baseline_id(app, "Silver Dollar", "NT48 2.2")
    response = alice.post(f"/library/{bid}/copy", data={
        "car": car.id, "package": "Suspension", "SO_F": "2000"})
    assert response.status_code == 422 and "Must be between 100 and 1500 cSt." in response.text
    assert store_of(app).get_car_config(racer(app), car.id).values == NB48


def test_community_ranges_next_to_my_car(alice, library, app):
    text = alice.get(f"/library/ranges?car={alices_car(app).id}").text
    assert "3 baselines for Tekno NB48 2.2" in text
    assert "median" in text and "Front diff oil" in text


# --- CSV and PDF -------------------------------------------------------------------------

def test_export_the_search_as_csv_with_formulas_neutralised(alice, app):
    alice.post("/library/new", data=form_of(NB48, driver_name="=HYPERLINK(\"x\")"))
    response = alice.get("/library/export.csv?q=hangtown")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert "'=HYPERLINK" in response.text and ",-1.0," in response.text


def test_import_csv_adds_every_row(alice, app, library):
    exported = alice.get("/library/export.csv?track=Silver+Dollar").data
    changed = exported.replace(b"Silver Dollar", b"Glen Helen")
    response = alice.post("/library/import", data={"file": (io.BytesIO(changed),
                                                            "mine.csv")},
                          content_type="multipart/form-data")
    assert response.status_code == 303
    assert len(store_of(app).dump_tables()["master_library"]) == 14


def test_import_csv_with_a_bad_line_saves_nothing(alice, app, library):
    exported = alice.get("/library/export.csv?track=Silver+Dollar").text
    lines = exported.splitlines()
    lines[2] = re.sub(r"\d{4}-\d\d-\d\d", "30/08/2025",
                      lines[2].replace("Silver Dollar", "Glen Helen"), count=1)
    lines[1] = lines[1].replace("Silver Dollar", "Glen Helen")
    data = "\n".join(lines).encode()
    response = alice.post("/library/import", data={"file": (io.BytesIO(data),
                                                            "mine.csv")},
                          content_type="multipart/form-data")
    assert response.status_code == 422 and "Line 3" in response.text
    assert len(store_of(app).dump_tables()["master_library"]) == 12


def test_import_csv_says_which_cells_were_read_as_not_set(alice, app):
    data = (b"track,brand,vehicle,condition,date,source,DF,SO_F,Bell\r\n"
            b"Pit Lane,Tekno,NB48 2.2,,2025-07-13,Other,7k cSt,N/A,13T\r\n")
    response = alice.post("/library/import", data={"file": (io.BytesIO(data), "mine.csv")},
                          content_type="multipart/form-data", follow_redirects=True)
    assert response.status_code == 200
    assert "Line 2: SO_F: &#39;N/A&#39; read as not set" in response.text
    baseline = store_of(app).dump_tables()["master_library"][0]
    assert (baseline["DF"], baseline["SO_F"], baseline["Bell"]) == (7000, None, 13)


def test_import_csv_of_rows_already_there_is_refused(alice, library):
    exported = alice.get("/library/export.csv?track=Silver+Dollar").data
    response = alice.post("/library/import", data={"file": (io.BytesIO(exported),
                                                            "same.csv")},
                          content_type="multipart/form-data")
    assert response.status_code == 422 and "already in the library" in response.text


def test_pdf_sheet_fills_a_form_to_check_before_saving(alice, app):
    pdf = sheet({"Track": "Mac's Track", "Date": "2025-10-18", "FDO": "7k", "CDO": "7000",
                 "RDO": "5k", "FSO": "4500", "FP": "1.2x4", "TBT": "Kosmos"})
    response = alice.post("/library/pdf", data={"file": (io.BytesIO(pdf), "s.pdf")},
                          content_type="multipart/form-data")
    assert response.status_code == 200
    assert "Check the sheet" in response.text and 'value="4x1.2"' in response.text
    assert 'value="4500"' in response.text and "Must be between 100 and 1500 cSt." in response.text
    assert store_of(app).dump_tables()["master_library"] == []  # nothing saved yet


def test_a_file_that_is_not_a_pdf_is_refused_with_a_message(alice):
    response = alice.post("/library/pdf", data={"file": (io.BytesIO(b"hello"),
                                                         "notes.pdf")},
                          content_type="multipart/form-data")
    assert response.status_code == 422 and "PDF" in response.text


def test_library_tab_needs_a_login(client):
    assert client.get("/library/").status_code == 302


def test_a_copied_package_shows_in_the_garage_notebook(alice, library, app):
    car = alices_car(app)
    bid = baseline_id(app, "Silver Dollar", "NT48 2.2")
    alice.post(f"/library/{bid}/copy", data={"car": car.id, "package": "Diffs",
                                             "DF": "10000", "DC": "10000", "DR": "7000"})
    text = alice.get("/garage/").text
    assert f"Copied Diffs from library #{bid}" in text


@pytest.mark.parametrize("url", [
    "/library/?endpoint=x", "/library/?_method=POST", "/library/?_external=1&q=a",
    "/library/compare?a=lib:1&b_lib=%C2%B2", "/library/ranges?brand=%00&vehicle=x",
    "/library/ranges?brand=" + "b" * 300, "/library/%C2%B2",
])
def test_odd_urls_are_never_a_server_error(alice, library, url):
    response = alice.get(url)
    assert response.status_code in (200, 404, 422)
    assert "http://localhost/library" not in response.text  # no absolute links from a Host


def test_an_upload_over_the_row_limit_is_refused(alice, app):
    from apex.blueprints.library.contribute import MAX_UPLOAD_ROWS

    rows = (f"T{i},Tekno,NB48,Dry,2025-01-01,Other\n" for i in range(MAX_UPLOAD_ROWS + 1))
    data = "track,brand,vehicle,condition,date,source\n" + "".join(rows)
    response = alice.post("/library/import", data={"file": (io.BytesIO(data.encode()), "big.csv")},
                          content_type="multipart/form-data")
    assert response.status_code == 422 and f"More than {MAX_UPLOAD_ROWS} rows" in response.text
    assert store_of(app).dump_tables()["master_library"] == []


def test_a_baseline_form_has_both_powers_fields_labelled(alice):
    page = alice.get("/library/new").text
    assert 'id="p-Venturi"' in page and 'id="p-Pinion"' in page
    assert re.search(r'for="p-Venturi">Venturi.*\(nitro only\)', page)
    assert re.search(r'for="p-Pinion">Pinion.*\(electric only\)', page)
    assert not re.search(r'for="p-Spur">[^\n]*only\)', page)


# --- compare with another library setup: picked from a search (issue 18, item 7) ----------

def test_a_baseline_offers_setups_of_its_car_to_compare_not_a_number_to_type(alice, library,
                                                                              app):
    bid = baseline_id(app, "Thunder Alley", "NB48 2.2")
    text = alice.get(f"/library/{bid}").text
    assert 'name="b_lib"' not in text and "library #" not in text
    assert f'action="/library/{bid}/compare-with"' in text
    other = baseline_id(app, "Mac's Track", "NB48 2.2")
    assert f"/library/compare?a=lib:{bid}&amp;b=lib:{other}" in text
    assert f"b=lib:{bid}\"" not in text  # never itself
    assert "XB8" not in text.split('id="compare-picks"', 1)[1]  # another car: search for it


def test_the_picker_searches_without_javascript_and_each_hit_compares(alice, library, app):
    bid = baseline_id(app, "Thunder Alley", "NB48 2.2")
    page = alice.get(f"/library/{bid}/compare-with?q=montreal")
    assert page.status_code == 200 and "<html" in page.text
    xb8 = baseline_id(app, "Circuit du Lac — Montréal", "XB8")
    assert f"/library/compare?a=lib:{bid}&amp;b=lib:{xb8}" in page.text
    assert "Pit Lane" not in page.text
    compared = alice.get(f"/library/compare?a=lib:{bid}&b=lib:{xb8}")
    assert compared.status_code == 200 and "set on both match" in compared.text


def test_the_picker_answers_htmx_with_its_hits_alone(alice, library, app):
    bid = baseline_id(app, "Thunder Alley", "NB48 2.2")
    fragment = alice.get(f"/library/{bid}/compare-with?q=xyzzy", headers=hx("compare-picks"))
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert 'id="compare-picks"' in fragment.text
    assert "No other library setup matches" in fragment.text
    assert "HX-Request" in fragment.headers["Vary"]


def test_the_picker_of_a_missing_baseline_is_404(alice, library):
    assert alice.get("/library/999999/compare-with?q=tekno").status_code == 404
