"""Build small fillable setup-sheet PDFs for tests (pypdf), instead of committing binaries."""

from __future__ import annotations

import io

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
