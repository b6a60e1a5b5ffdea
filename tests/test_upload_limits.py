"""Issue 12: hostile PDFs (tiny files that cost millions of characters, seconds of CPU or
hundreds of MB) are refused with a message naming the limit and nothing stored, on both
stores; the child process that reads them is held to CPU, memory and time; uploads are
rate-limited per racer; a stored cell over the CSV limit never takes a page down."""

from __future__ import annotations

import csv
import io
import uuid

import pytest

from apex import pdf_sheets, pdf_worker, theory
from apex.tables import CELL_MAX, TABLES
from tests.conftest import AuthActions, make_app, running_app, store_of
from tests.pdf_helpers import (
    many_fields,
    many_pages,
    operator_flood,
    sheet,
    tounicode_bomb,
    zlib_bomb,
)


def upload_document(client, data: bytes, name: str = "guide.pdf"):
    form = {"category": "general", "file": (io.BytesIO(data), name)}
    return client.post("/theory/", data=form, content_type="multipart/form-data")


def upload_sheet(client, data: bytes):
    return client.post("/library/pdf", data={"file": (io.BytesIO(data), "sheet.pdf")},
                       content_type="multipart/form-data")


def signed_up(app, username: str = "alice"):
    client = app.test_client()
    assert AuthActions(client).signup(username).status_code in (302, 303)
    return client


# --- the caps (pure, in this process) ------------------------------------------------------

def test_a_1_kb_tounicode_bomb_stops_at_the_character_cap() -> None:
    bomb = tounicode_bomb()  # 100 000 codes x 250 characters = 25 M characters
    assert len(bomb) < 1200
    with pytest.raises(theory.ExtractError) as err:
        theory.extract_text(bomb, "bomb.pdf")
    assert err.value.message == theory.TOO_MUCH_TEXT and "10,485,760" in err.value.message


def test_a_pdf_over_the_page_cap_is_refused() -> None:
    with pytest.raises(theory.ExtractError) as err:
        theory.extract_text(many_pages(theory.MAX_PAGES + 1), "long.pdf")
    assert err.value.message == theory.TOO_MANY_PAGES
    assert "Shock oil" in theory.extract_text(many_pages(3), "short.pdf")


def test_a_setup_sheet_with_20000_form_fields_is_refused_before_they_are_read() -> None:
    with pytest.raises(pdf_sheets.SheetError) as err:
        pdf_sheets.read_setup_sheet(many_fields(20_000))
    assert err.value.message == pdf_sheets.TOO_MANY_FIELDS and "1,000" in err.value.message
    assert pdf_sheets.read_setup_sheet(many_fields(50)).brand == "Tekno"


def test_setup_sheet_caps_pages_and_text() -> None:
    with pytest.raises(pdf_sheets.SheetError) as err:
        pdf_sheets.read_setup_sheet(many_pages(pdf_sheets.MAX_PAGES + 1))
    assert err.value.message == pdf_sheets.TOO_MANY_PAGES
    long_values = {"FDO": "7k", "CDO": "7k", "RDO": "5k", "Event": "x" * pdf_sheets.MAX_TEXT}
    with pytest.raises(pdf_sheets.SheetError) as err:
        pdf_sheets.read_setup_sheet(sheet(long_values))
    assert err.value.message == pdf_sheets.TOO_MUCH_TEXT


def test_both_stores_refuse_a_document_over_the_character_cap(store) -> None:
    user = store.create_user("alice", "alice@example.com", "hash")
    with pytest.raises(ValueError, match="characters"):
        store.add_theory_document(user.id, "Huge", "general", "huge.md",
                                  "ab " * (theory.MAX_CHARS // 3 + 1))
    assert store.list_theory_documents() == []


# --- the child process -----------------------------------------------------------------------

def test_the_worker_reads_text_and_fields_as_the_app_would() -> None:
    limits = pdf_worker.Limits()
    assert "Shock oil" in pdf_worker.pdf_text(many_pages(2), limits)
    assert pdf_worker.form_fields(sheet({"FDO": "7k"}), limits) == {"FDO": "7k"}
    with pytest.raises(theory.ExtractError) as err:
        pdf_worker.pdf_text(tounicode_bomb(), limits)
    assert err.value.message == theory.TOO_MUCH_TEXT


def test_a_worker_over_its_cpu_limit_is_killed_and_says_so() -> None:
    with pytest.raises(theory.ExtractError) as err:  # the flood costs ~8 s of CPU
        pdf_worker.pdf_text(operator_flood(pages=1), pdf_worker.Limits(cpu_seconds=1))
    assert "over 1 s of work" in err.value.message


def test_a_worker_over_its_memory_limit_is_stopped_and_says_so() -> None:
    with pytest.raises(theory.ExtractError) as err:  # it inflates to 70 MB at once
        pdf_worker.pdf_text(zlib_bomb(), pdf_worker.Limits(memory_mb=100))
    assert "over 100 MB" in err.value.message


def test_a_worker_over_its_wall_clock_limit_is_killed_and_says_so() -> None:
    with pytest.raises(theory.ExtractError) as err:
        pdf_worker.pdf_text(operator_flood(pages=1),
                            pdf_worker.Limits(cpu_seconds=60, wall_seconds=1))
    assert "over 1 s)" in err.value.message


def test_one_pdf_at_a_time_per_process_a_second_waits_then_is_told_to_retry() -> None:
    with pdf_worker._one_at_a_time:  # another thread is reading a PDF
        with pytest.raises(theory.ExtractError) as err:
            pdf_worker.pdf_text(many_pages(2), pdf_worker.Limits(wall_seconds=1))
    assert err.value.message == pdf_worker.BUSY
    assert "Shock oil" in pdf_worker.pdf_text(many_pages(2), pdf_worker.Limits())


# --- over HTTP, on both stores ------------------------------------------------------------

@pytest.mark.parametrize(("pdf", "words"), [
    (tounicode_bomb(), "10,485,760 characters"),
    (many_pages(theory.MAX_PAGES + 1), "2,000 pages"),
])
def test_hostile_theory_pdfs_are_refused_and_nothing_is_stored(alice, app, pdf, words) -> None:
    response = upload_document(alice, pdf)
    assert response.status_code == 422 and words in response.text
    assert store_of(app).list_theory_documents() == []
    assert alice.get("/theory/").status_code == 200


def test_a_20000_field_sheet_is_refused_with_a_message(alice, app) -> None:
    response = upload_sheet(alice, many_fields(20_000))
    assert response.status_code == 422 and "over 1,000 form fields" in response.text
    assert store_of(app).dump_tables()["master_library"] == []


def test_a_pdf_that_exhausts_the_worker_is_refused_and_the_app_serves_on(store_config) -> None:
    with running_app(store_config, WTF_CSRF_ENABLED=False, APEX_PDF_CPU_SECONDS=1) as app:
        client = signed_up(app)
        response = upload_document(client, operator_flood(pages=1))
        assert response.status_code == 422 and "over 1 s of work" in response.text
        assert store_of(app).list_theory_documents() == []
        assert upload_document(client, many_pages(2), "fine.pdf").status_code == 303
        assert client.get("/theory/").status_code == 200


def test_uploads_are_rate_limited_per_racer_with_a_message(store_config) -> None:
    with running_app(store_config, WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=True,
                     APEX_LOGIN_LIMIT="100 per minute",
                     APEX_UPLOAD_LIMIT="2 per hour") as app:
        alice, bob = signed_up(app, "alice"), signed_up(app, "bob")
        for name in ("a.md", "b.md"):
            assert upload_document(alice, b"# Shock oil\n", name).status_code == 303
        refused = upload_sheet(alice, sheet({"FDO": "7k"}))  # one budget for every upload
        assert refused.status_code == 429
        assert "Too many uploads (at most 2 per hour)" in refused.text
        assert upload_document(bob, b"# Diff oil\n", "c.md").status_code == 303
        assert len(store_of(app).list_theory_documents()) == 3


# --- reading what an older version stored --------------------------------------------------

def test_a_stored_cell_over_the_csv_limit_never_breaks_the_theory_tab_or_export(
        tmp_path) -> None:
    data = tmp_path / "data"
    app = make_app({"APEX_DATA_DIR": str(data)}, WTF_CSRF_ENABLED=False)
    client = signed_up(app)
    user = store_of(app).find_user("alice")
    huge = "shock oil " + "A" * (CELL_MAX + 10)  # as the 1 KB bomb stored it before
    path = data / "theory_documents.csv"
    with open(path, "a", newline="", encoding="utf-8") as f:
        csv.DictWriter(f, TABLES["theory_documents"]).writerow({
            "id": str(uuid.uuid4()), "filename": "bomb.pdf", "title": "Bomb",
            "category": "general", "content": huge, "file_path": "", "uploaded_by": user.id,
            "created_at": "2026-01-01T00:00:00+00:00"})
    assert client.get("/theory/").status_code == 200
    assert client.get("/theory/?q=shock").status_code == 200
    result = app.test_cli_runner().invoke(args=["db", "export-csv", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "theory_documents.csv").stat().st_size > CELL_MAX
