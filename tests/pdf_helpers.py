"""Build small fillable setup-sheet PDFs for tests (pypdf), instead of committing binaries."""

from __future__ import annotations

import io
import zlib

from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, FloatObject, NameObject, TextStringObject


def sheet(fields: dict[str, str], *, encrypt: tuple[str, str] | None = None) -> bytes:
    """A one-page PDF with a text form field per entry (name -> value)."""
    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    for i, (name, value) in enumerate(fields.items()):
        y = 760 - 14 * i
        writer.add_annotation(0, DictionaryObject({
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Widget"),
            NameObject("/FT"): NameObject("/Tx"), NameObject("/T"): TextStringObject(name),
            NameObject("/V"): TextStringObject(value),
            NameObject("/Rect"): ArrayObject([FloatObject(40), FloatObject(y), FloatObject(300),
                                              FloatObject(y + 12)]),
        }))
    writer.reattach_fields()
    if encrypt:
        writer.encrypt(user_password=encrypt[0], owner_password=encrypt[1], algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# -- hostile PDFs (issue 12): tiny files that cost a lot to read ---------------------------


def raw_pdf(objects: list[bytes]) -> bytes:
    """A PDF from object bodies (object 1 is the catalog), with a correct xref table."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def _stream(data: bytes) -> bytes:
    packed = zlib.compress(data, 9)
    return b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed \
        + b"\nendstream"


def tounicode_bomb(codes: int = 100_000, expand: int = 250) -> bytes:
    """About 1 KB whose one font maps the code 01 to ``expand`` characters (its ToUnicode
    CMap) and whose page shows that code ``codes`` times: codes x expand characters."""
    target = "<" + "0041" * expand + ">"
    cmap = ("/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
            "/CMapName /Bomb def 1 begincodespacerange <00> <FF> endcodespacerange\n"
            f"1 beginbfchar <01> {target} endbfchar\n"
            "endcmap CMapName currentdict /CMap defineresource pop end end").encode()
    content = b"BT /F1 12 Tf 72 720 Td <" + b"01" * codes + b"> Tj ET"
    return raw_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        _stream(content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 6 0 R >>",
        _stream(cmap),
    ])


def many_pages(count: int, line: str = "Shock oil", content: bytes = b"") -> bytes:
    """``count`` pages that all share one content stream (showing ``line``)."""
    kids = b" ".join(b"%d 0 R" % (5 + i) for i in range(count))
    page = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 3 0 R "
            b"/Resources << /Font << /F1 4 0 R >> >> >>")
    return raw_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % count,
        _stream(content or b"BT /F1 12 Tf 72 720 Td (" + line.encode() + b") Tj ET"),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        *[page] * count,
    ])


def many_fields(count: int) -> bytes:
    """A one-page form with ``count`` text fields (three Tekno names first, so it would
    otherwise be read as a Tekno sheet)."""
    names = ["FDO", "CDO", "RDO", *(f"F{i}" for i in range(count - 3))]
    first = 4
    refs = b" ".join(b"%d 0 R" % (first + i) for i in range(count))
    fields = [b"<< /FT /Tx /T (%s) /V (1) /Subtype /Widget /Rect [0 0 1 1] /P 3 0 R >>"
              % name.encode() for name in names]
    return raw_pdf([
        b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [" + refs + b"] >> >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Annots [" + refs + b"] >>",
        *fields,
    ])



def operator_flood(pages: int = 40, operators: int = 280_000) -> bytes:
    """``pages`` pages sharing one (compressed, ~10 KB) content stream of ``operators``
    text-matrix operators, just under pypdf's own per-stream budget: reading the text
    costs many seconds of CPU and hundreds of MB."""
    return many_pages(pages, content=b"BT /F1 12 Tf " + b"1 0 0 1 0 0 Tm " * operators
                      + b"(x) Tj ET")


def zlib_bomb(size: int = 70_000_000) -> bytes:
    """A ~70 KB page whose content stream inflates to ``size`` bytes (under pypdf's own
    75 MB cap): reading it needs that much memory at once."""
    return many_pages(1, content=b"BT " + b" " * size + b"ET")
