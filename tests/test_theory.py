"""The Theory library: text extraction and search helpers, and the tab over HTTP on both stores."""

from __future__ import annotations

import io
import re

import pytest
from flask import render_template_string
from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

from apex import theory
from apex.blueprints.theory.blueprint import passages_for
from tests.conftest import hx, store_of

SHOCK_MD = b"# Shock oil\n\nThicker shock oil stops bottoming on big landings.\n"


def text_pdf(*lines: str, blank_pages: int = 0) -> bytes:
    """A real PDF whose one page shows ``lines`` in Helvetica (no text: a "scan")."""
    writer = PdfWriter()
    if lines:
        page = writer.add_blank_page(612, 792)
        font = DictionaryObject({NameObject("/Type"): NameObject("/Font"),
                                 NameObject("/Subtype"): NameObject("/Type1"),
                                 NameObject("/BaseFont"): NameObject("/Helvetica")})
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})})
        shown = " 0 -14 Td ".join(f"({line}) Tj" for line in lines)
        stream = DecodedStreamObject()
        stream.set_data(f"BT /F1 12 Tf 72 720 Td {shown} ET".encode())
        page.replace_contents(stream)
    for _ in range(blank_pages):
        writer.add_blank_page(612, 792)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# --- extraction (pure) -------------------------------------------------------------------

def test_a_pdf_gives_the_text_of_every_page() -> None:
    text = theory.extract_text(text_pdf("Thicker shock oil", "stops bottoming"), "Oil.PDF")
    assert "Thicker shock oil" in text and "stops bottoming" in text


@pytest.mark.parametrize(("data", "name", "message"), [
    (text_pdf(blank_pages=2), "scan.pdf", theory.NO_PDF_TEXT),
    (b"MZ\x90\x00\x03\x00\x00\x00", "setup.exe", theory.NOT_ACCEPTED),
    (b"hello, I am not a PDF", "fake.pdf", theory.NOT_ACCEPTED),
    (b"MZ\x90\x00binary", "notes.txt", theory.NOT_ACCEPTED),
    (text_pdf("a pdf"), "sneaky.md", theory.NOT_ACCEPTED),
    (b"plain words", "noextension", theory.NOT_ACCEPTED),
    (b"caf\xe9 latin-1", "old.txt", theory.NOT_UTF8),
    (b"  \n\n ", "empty.md", theory.NO_TEXT),
    (b"%PDF-1.7\nthis is not really a pdf", "broken.pdf", theory.BAD_PDF),
    (b"x" * (theory.MAX_BYTES + 1), "big.txt", theory.TOO_BIG),
])
def test_what_cannot_be_searched_is_refused_with_a_message(data, name, message) -> None:
    with pytest.raises(theory.ExtractError) as err:
        theory.extract_text(data, name)
    assert err.value.message == message


def test_text_and_markdown_are_utf8_with_or_without_bom() -> None:
    assert theory.extract_text(b"\xef\xbb\xbfCamber \xc2\xb0\r\nline", "a.txt") == "Camber °\nline"
    assert theory.extract_text(SHOCK_MD, "shock.markdown").startswith("# Shock oil")
    assert theory.extract_text(b"x" * theory.MAX_BYTES, "big.md")  # 10 MB is allowed


def test_the_default_title_is_the_file_name_without_extension() -> None:
    assert theory.default_title("C:\\docs\\Shock_oil guide.pdf") == "Shock oil guide"
    assert theory.default_title("../../etc/notes.md") == "notes"
    assert theory.safe_filename("../../etc/notes.md") == "notes.md"


def test_query_words_add_catalogue_labels_and_spellings() -> None:
    words = theory.query_words(["Push entry", "DF", "SO_F", "tires"])
    assert words[:3] == ["push", "entry", "df"]
    assert {"front", "diff", "oil", "shock", "tyres"} <= set(words)
    assert theory.tsquery(words).startswith("'push' | 'entry'")
    assert theory.tsquery(["it's", "a&b", "ok"]) == "'ok'"  # nothing read as tsquery syntax
    assert theory.query_terms("the springs of the car") == {"spring", "car"}


def test_a_snippet_is_about_200_characters_around_the_hits() -> None:
    text = "Filler words here. " * 40 + "Raise the ride height for bumps. " + "More. " * 60
    pieces = theory.snippet(text, theory.query_terms("ride height"))
    plain = "".join(t for t, _ in pieces)
    assert [t for t, hit in pieces if hit] == ["ride", "height"]
    assert 100 < len(plain) < 260 and plain.startswith("… ") and plain.endswith(" …")
    assert theory.snippet("No hit here.", frozenset({"oil"})) == (("No hit here.", False),)


def test_marked_headlines_become_pieces() -> None:
    marked = f"a\n {theory.HIT_START}Oil{theory.HIT_END} and {theory.HIT_START}oil{theory.HIT_END}"
    assert theory.pieces_from_marked(marked) == (("a ", False), ("Oil", True), (" and ", False),
                                                 ("oil", True))


def test_long_text_is_read_in_pages_cut_at_lines() -> None:
    text = "".join(f"line {n}\n" for n in range(10_000))
    pages = theory.pages(text, size=1000)
    assert "".join(pages) == text and all(p.endswith("\n") for p in pages)
    assert max(len(p) for p in pages) <= 1000 and theory.pages("") == [""]


def test_the_bundled_notes_are_short_and_filed() -> None:
    notes = theory.bundled_notes()
    assert 5 <= len(notes) <= 8
    for filename, title, category, text in notes:
        assert category in theory.CATEGORIES and category != "general", filename
        assert title and text.startswith("# " + title) and len(text) < 3000
    assert {c for _, _, c, _ in notes} >= {"diffs", "suspension", "geometry", "tyres", "engine"}


# --- the tab over HTTP ---------------------------------------------------------------------

def upload(client, data: bytes, name: str, **fields: str):
    form = {"category": "suspension", **fields, "file": (io.BytesIO(data), name)}
    return client.post("/theory/", data=form, content_type="multipart/form-data")


def only_document(app):
    (document,) = store_of(app).list_theory_documents()
    return store_of(app).get_theory_document(document.id)


def test_the_theory_tab_needs_a_login(client) -> None:
    assert client.get("/theory/").status_code == 302
    assert client.get("/theory/", headers=hx("theory-results")).headers["HX-Redirect"]


def test_upload_a_pdf_and_read_it(alice, app) -> None:
    pdf = text_pdf("Thicker shock oil stops bottoming", "on big landings")
    response = upload(alice, pdf, "Shock oil guide.pdf")
    assert response.status_code == 303
    document = only_document(app)
    assert (document.title, document.category, document.filename) == (
        "Shock oil guide", "suspension", "Shock oil guide.pdf")
    page = alice.get(response.headers["Location"])
    assert page.status_code == 200 and "Thicker shock oil stops bottoming" in page.text
    assert "Added “Shock oil guide”" in page.text


@pytest.mark.parametrize(("data", "name"), [(SHOCK_MD, "shock.md"),
                                            (b"Stiffer springs for jumps.", "springs.txt")])
def test_upload_text_and_markdown_with_a_title(alice, app, data, name) -> None:
    assert upload(alice, data, name, title="My notes", category="general").status_code == 303
    document = only_document(app)
    assert (document.title, document.category) == ("My notes", "general")
    assert document.content == data.decode()


@pytest.mark.parametrize(("data", "name", "message"), [
    (b"MZ\x90\x00\x03\x00", "setup.exe", theory.NOT_ACCEPTED),
    (b"not a pdf at all", "fake.pdf", theory.NOT_ACCEPTED),
    (b"x" * (theory.MAX_BYTES + 1), "big.txt", theory.TOO_BIG),
    (text_pdf(blank_pages=1), "scan.pdf", theory.NO_PDF_TEXT),
])
def test_a_refused_file_is_422_keeps_the_fields_and_saves_nothing(alice, app, data, name,
                                                                   message) -> None:
    response = upload(alice, data, name, title="Typed <title>", category="engine")
    assert response.status_code == 422
    assert message in response.text
    assert 'value="Typed &lt;title&gt;"' in response.text
    assert re.search(r'<option value="engine" selected>', response.text)
    assert store_of(app).list_theory_documents() == []


def test_no_file_and_a_bad_category_are_field_errors(alice, app) -> None:
    response = alice.post("/theory/", data={"title": "x", "category": "aero"},
                          content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Choose a file." in response.text and "Pick a category." in response.text


def test_a_body_over_the_request_limit_says_at_most_10_mb(alice, app) -> None:
    response = upload(alice, b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1), "huge.txt")
    assert response.status_code == 413 and theory.TOO_BIG in response.text


def test_library_csv_uploads_keep_their_6_mb_limit(alice, app) -> None:
    from apex.blueprints.library.contribute import MAX_UPLOAD_BYTES

    big = b"track,brand\n" + b"x" * MAX_UPLOAD_BYTES
    response = alice.post("/library/import", data={"file": (io.BytesIO(big), "big.csv")},
                          content_type="multipart/form-data")
    assert response.status_code == 413 and "That upload is too large." in response.text


def test_a_retried_upload_is_saved_once(alice, app) -> None:
    key = "3" * 32
    assert upload(alice, SHOCK_MD, "a.md", request_key=key).status_code == 303
    again = upload(alice, SHOCK_MD, "a.md", request_key=key)
    assert again.status_code == 303 and "Already saved." in alice.get("/theory/").text
    assert len(store_of(app).list_theory_documents()) == 1


def test_the_list_and_the_category_filter(alice, app) -> None:
    upload(alice, SHOCK_MD, "shock.md", category="suspension")
    upload(alice, b"Front diff oil.", "diff.md", category="diffs")
    text = alice.get("/theory/").text
    assert "2 documents" in text and "added by alice" in text
    filtered = alice.get("/theory/?category=diffs").text
    assert "1 document" in filtered and "diff.md" in filtered and "shock.md" not in filtered
    assert alice.get("/theory/?category=aero").status_code == 422


def test_search_shows_passages_with_marked_hits(alice, app) -> None:
    upload(alice, SHOCK_MD, "shock.md")
    upload(alice, b"Gearing for long straights.", "gears.md", category="engine")
    text = alice.get("/theory/?q=shock+oil").text
    assert "1 passage for" in text and "<mark>oil</mark>" in text.lower()
    document = only_document_titled(app, "Shock oil")
    assert f"/theory/{document.id}?q=" in text
    assert "gears.md" not in text


def only_document_titled(app, title: str):
    return next(d for d in store_of(app).list_theory_documents() if d.title == title)


def test_search_is_a_fragment_for_htmx_and_a_page_otherwise(alice, app) -> None:
    upload(alice, SHOCK_MD, "shock.md")
    fragment = alice.get("/theory/?q=bottoming", headers=hx("theory-results"))
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert 'id="theory-results"' in fragment.text and "<mark>bottoming</mark>" in fragment.text
    assert "HX-Request" in fragment.headers["Vary"]
    assert "<html" in alice.get("/theory/?q=bottoming").text


def test_reading_marks_the_searched_words(alice, app) -> None:
    upload(alice, SHOCK_MD, "shock.md")
    document = only_document(app)
    text = alice.get(f"/theory/{document.id}?q=landing").text
    assert "<mark>landings</mark>" in text


def test_uploaded_html_is_shown_escaped_everywhere(alice, app) -> None:
    evil = b"<script>alert(1)</script> shock <b>oil</b> <img src=x onerror=alert(2)>"
    upload(alice, evil, "evil.md", title="<script>alert(3)</script>")
    document = only_document(app)
    for url in (f"/theory/{document.id}", f"/theory/{document.id}?q=oil", "/theory/?q=oil",
                "/theory/"):
        text = alice.get(url).text
        assert "<script>alert" not in text and "<img src=x" not in text, url
        assert "&lt;script&gt;alert(" in text, url


@pytest.mark.parametrize("url", ["/theory/nope", "/theory/00000000-0000-0000-0000-000000000000"])
def test_a_missing_document_is_404(alice, url) -> None:
    assert alice.get(url).status_code == 404
    assert alice.post(url + "/delete").status_code == 404


def test_another_racer_cannot_delete_and_sees_no_button(client, auth, app) -> None:
    auth.signup("alice")
    upload(client, SHOCK_MD, "shock.md")
    document = only_document(app)
    assert "Delete" in client.get(f"/theory/{document.id}").text
    auth.logout()
    auth.signup("bob")
    page = client.get(f"/theory/{document.id}")
    assert page.status_code == 200 and ">Delete<" not in page.text
    assert client.post(f"/theory/{document.id}/delete").status_code == 404
    assert store_of(app).get_theory_document(document.id) is not None


def test_the_uploader_and_an_admin_can_delete(client, auth, app) -> None:
    auth.signup("alice")
    upload(client, SHOCK_MD, "one.md")
    upload(client, SHOCK_MD, "two.md")
    one, two = sorted(store_of(app).list_theory_documents(), key=lambda d: d.title)
    response = client.post(f"/theory/{one.id}/delete")
    assert response.status_code == 303 and response.headers["Location"].endswith("/theory/")
    auth.logout()
    auth.signup("marshal")
    store_of(app).set_admin(store_of(app).find_user("marshal").id, True)
    assert ">Delete<" in client.get(f"/theory/{two.id}").text
    assert client.post(f"/theory/{two.id}/delete").status_code == 303
    assert store_of(app).list_theory_documents() == []


def test_the_upload_form_and_the_library_link(alice) -> None:
    form = alice.get("/theory/new").text
    assert 'enctype="multipart/form-data"' in form and 'name="request_key"' in form
    assert '<option value="general" selected>' in form
    assert 'href="/theory/"' in alice.get("/library/").text


def test_seed_demo_loads_the_notes_once(runner, app) -> None:
    runner.invoke(args=["db", "seed-demo"])
    runner.invoke(args=["db", "seed-demo"])
    documents = store_of(app).list_theory_documents()
    assert len(documents) == len(theory.bundled_notes())
    # Nobody's: the demo account (whose password scripts/run prints) cannot delete them.
    assert {d.uploaded_by for d in documents} == {None}
    demo = store_of(app).find_user("demo")
    assert not store_of(app).delete_theory_document(demo.id, documents[0].id)
    assert store_of(app).search_theory("shock oil temperature")[0].title == (
        "Shock oil and track temperature")


def test_passages_for_the_advisor_and_their_macro(app, runner) -> None:
    runner.invoke(args=["db", "seed-demo"])
    with app.test_request_context("/"):
        passages = passages_for(["Push entry", "DF", "front diff oil"], limit=3)
        assert 1 <= len(passages) <= 3
        assert passages[0].title == "Diff oils: front, centre and rear"
        html = render_template_string(
            '{% from "theory/_passages.html" import passage_list %}{{ passage_list(ps) }}',
            ps=passages)
        assert passages_for([]) == []
    assert "<mark>" in html and f"/theory/{passages[0].document_id}?q=" in html


# --- Markdown: rendered, sanitised, titled by its first heading (issue 18, item 6) ---------

RICH_MD = (b"# Sway bars\n\n**Thicker bars** stop *traction roll*.\n\n"
           b"- front 2.3 mm\n- rear 2.5 mm\n\n[More](https://example.org/bars)\n")


def test_markdown_is_rendered_not_shown_raw(alice, app) -> None:
    upload(alice, RICH_MD, "bars.md")
    text = alice.get(f"/theory/{only_document(app).id}").text
    assert "<strong>Thicker bars</strong>" in text and "<em>traction roll</em>" in text
    assert "<li>front 2.3 mm</li>" in text
    assert '<a href="https://example.org/bars" rel="noopener noreferrer">More</a>' in text
    assert "**" not in text and "# Sway" not in text


def test_an_untitled_markdown_upload_takes_its_first_heading(alice, app) -> None:
    upload(alice, b"Intro line.\n\n## The **big** sway bar guide\n\nText.", "x_notes.md")
    assert only_document(app).title == "The big sway bar guide"


def test_an_untitled_markdown_upload_without_heading_takes_its_file_name(alice, app) -> None:
    upload(alice, b"No heading here.", "bar_notes.md")
    assert only_document(app).title == "bar notes"


def test_a_title_repeating_the_first_heading_is_shown_once(alice, app) -> None:
    upload(alice, RICH_MD, "bars.md")
    text = alice.get(f"/theory/{only_document(app).id}").text
    assert text.count("Sway bars</h") == 1


def test_markdown_keeps_no_html_or_script_links(alice, app) -> None:
    evil = (b"# Oil\n\n<script>alert(1)</script> <b>oil</b> <img src=x onerror=alert(2)>\n\n"
            b"[click](javascript:alert(3)) ![pic](https://example.org/x.png)\n")
    upload(alice, evil, "evil.md")
    text = alice.get(f"/theory/{only_document(app).id}?q=oil").text
    assert "<script>alert" not in text and "<img" not in text and "href=\"javascript" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "<mark>oil</mark>" in text  # the searched words are marked in the rendered text


def test_snippets_show_no_markdown_marks(alice, app) -> None:
    upload(alice, RICH_MD, "bars.md")
    for url in ("/theory/?q=thicker+bars", "/theory/?q=sway"):
        snippet = re.search(r'<p class="snippet">(.*?)</p>', alice.get(url).text, re.S)
        assert snippet and "**" not in snippet.group(1) and "# " not in snippet.group(1), url
        assert "<mark>" in snippet.group(1)


def test_markdown_marks_leave_snippet_pieces() -> None:
    marked = f"# Sway bars\n\n**Thicker {theory.HIT_START}bars{theory.HIT_END}** stop *roll*."
    assert theory.pieces_from_marked(marked) == (
        ("Sway bars Thicker ", False), ("bars", True), (" stop roll.", False))


def test_list_items_read_apart_in_a_snippet() -> None:
    assert theory.plain("faster.\n- Bottoming: smaller holes.\n* Chatter: bigger") == (
        "faster.\n• Bottoming: smaller holes.\n• Chatter: bigger")


def test_the_theory_library_is_a_tab(alice) -> None:
    nav = alice.get("/garage/").text.split('<nav class="tabs"', 1)[1]
    assert 'href="/theory/"' in nav
