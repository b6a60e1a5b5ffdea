"""Read a manufacturer's fillable setup-sheet PDF into library fields and catalogue values.

Why it is built this way:
- The sheet is untrusted bytes: size (``MAX_BYTES``) and the ``%PDF-`` magic are
  checked before pypdf sees it, and anything pypdf cannot read, decrypt or find
  form fields in is a ``SheetError`` with a message for the racer. A sheet has a
  page or two and a few hundred fields: over ``MAX_PAGES`` pages, ``MAX_FIELDS``
  fields (counted before pypdf reads them: 20 000 cost seconds) or ``MAX_TEXT``
  characters of field text it is refused. The upload route reads the fields in a
  limited child process (apex.pdf_worker, passed as ``read_fields``).
- The brand is told by its form fields' names (``SHEETS``, TUNING.md §6): the brand
  with the most known parameter fields, at least ``MIN_KNOWN`` of them. Names are
  matched ignoring case and repeated spaces, whole or by their last part
  (``form1.FDO`` is ``FDO``).
- Values are read as an import reads them (``apex.transfer.values.read_param``): the
  parameter's own unit may be written (``450 cSt``, ``2.3mm``, ``-1°``), ``7k`` oils,
  ``1.2x4`` pistons, ``ParamField`` bounds and steps; a message quotes the value. A
  bad value never fails the sheet: it goes to ``problems`` (key -> message) and its
  text stays in ``raw`` (``raw_problems``) for the racer to fix on the verification
  form.
- Header fields fill library fields where they fit: Track -> track, Name ->
  driver_name, Date (ISO or with the month in words) -> date; Traction, Surface and
  Condition together -> condition ("High Traction, Dry, Bumpy", as the library
  writes it); Event and Ambient Temp -> notes. The brand field takes the brand.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from pypdf import PasswordType, PdfReader

from apex.catalogue import Value

MAX_BYTES = 5 * 1024 * 1024
MAX_PAGES = 20
MAX_FIELDS = 1_000
MAX_TEXT = 100_000
MIN_KNOWN = 3
TOO_MANY_PAGES = (f"This PDF has over {MAX_PAGES} pages: a setup sheet has a page or two. "
                  "Upload the sheet alone.")
TOO_MANY_FIELDS = (f"This PDF has over {MAX_FIELDS:,} form fields: that is not a setup sheet "
                   "APEX can read. Enter the setup by hand.")
TOO_MUCH_TEXT = (f"The form fields of this PDF hold over {MAX_TEXT:,} characters: that is "
                 "not a setup sheet APEX can read. Enter the setup by hand.")
NO_FIELDS = ("This PDF has no form fields: enter the setup by hand (Mugen and Xray sheets "
             "have none or unlabelled ones)")

# Form field name -> catalogue key, per brand (TUNING.md §6).
TEKNO: dict[str, str] = {
    "FDO": "DF", "CDO": "DC", "RDO": "DR", "FSO": "SO_F", "RSO": "SO_R",
    "FSPRING": "SP_F", "RSPRING": "SP_R", "FB": "SB_F", "RSB": "SB_R", "FP": "P_F", "RP": "P_R",
    "FT": "Toe_F", "RT": "Toe_R", "FRH": "RH_F", "RRH": "RH_R", "FC": "C_F", "RC": "C_R",
    "FUTL": "ST_F", "RUTL": "ST_R", "TBT": "Tread", "TC": "Compound", "EngineP": "Pipe",
    "DriveC": "Clutch",
}
ASSOCIATED: dict[str, str] = {
    "Diff Fluid Front": "DF", "Diff Fluid Center": "DC", "Diff Fluid Rear": "DR",
    "Front Fluid": "SO_F", "Rear Fluid": "SO_R", "Front Spring": "SP_F", "Rear Spring": "SP_R",
    "Front Anti-Roll Bar Size": "SB_F", "Rear Anti-Roll Bar Size": "SB_R",
    "Front Piston": "P_F", "Rear Piston": "P_R", "Front Toe": "Toe_F",
    "Front Ride Height": "RH_F", "Rear Ride Height": "RH_R", "Rear Camber": "C_R",
    "Front Tires": "Tread", "Bell": "Bell", "Spur Gear": "Spur", "Muffler": "Pipe",
    # Electric sheets (RC8B4e): not in TUNING §6, the names these sheets label their boxes.
    "Pinion": "Pinion", "Motor": "Motor", "Timing": "Timing", "Battery": "Battery",
}
SHEETS: dict[str, dict[str, str]] = {"Tekno": TEKNO, "Team Associated": ASSOCIATED}
LIBRARY_BRAND: dict[str, str] = {"Tekno": "Tekno", "Team Associated": "Associated"}
# Header fields -> the library field each fills (condition and notes gather several).
HEADER: dict[str, str] = {
    "Track": "track", "Name": "driver_name", "Date": "date", "Traction": "condition",
    "Surface": "condition", "Condition": "condition", "Event": "notes",
    "Ambient Temp": "notes",
}
_DATE_FORMATS = ("%d %b %Y", "%d %B %Y", "%b %d %Y", "%B %d %Y")


class SheetError(Exception):
    """The file cannot be read as a setup sheet; ``message`` says why, for the racer."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class SheetResult:
    """What a sheet holds: found values, and what needs the racer's eye."""

    brand: str  # "Tekno" or "Team Associated"
    fields: dict[str, Any] = field(default_factory=dict)  # library fields; "date" a date
    values: dict[str, Value] = field(default_factory=dict)  # catalogue key -> valid value
    problems: dict[str, str] = field(default_factory=dict)  # key or field -> message
    raw: dict[str, str] = field(default_factory=dict)  # key or field -> text on the sheet
    unmapped: dict[str, str] = field(default_factory=dict)  # form field -> text, not mapped

    @property
    def raw_problems(self) -> dict[str, str]:
        """The sheet's text of each value in ``problems``, to show in the form for fixing."""
        return {key: self.raw[key] for key in self.problems if key in self.raw}


def read_setup_sheet(data: bytes,
                     read_fields: Callable[[bytes], dict[str, str]] | None = None
                     ) -> SheetResult:
    """The sheet's brand, library fields and values; SheetError when it cannot be read.
    ``read_fields`` reads the form (default ``form_fields``, in this process)."""
    # NOTE: imported here: apex.pdf_worker's child imports this module for form_fields
    # only, and the import reader costs a tenth of a second at every upload.
    from apex.transfer.values import read_param

    filled = (read_fields or form_fields)(data)
    brand = detect_brand(filled)
    mapping = {_norm(name): key for name, key in SHEETS[brand].items()}
    header = {_norm(name): name for name in HEADER}  # -> the header's own spelling
    result = SheetResult(brand, fields={"brand": LIBRARY_BRAND[brand]})
    parts: dict[str, str] = {}
    for name, text in filled.items():
        if not text:
            continue
        key = mapping.get(_norm(name)) or mapping.get(_norm(_last(name)))
        label = header.get(_norm(name)) or header.get(_norm(_last(name)))
        if key is not None:
            result.raw[key] = text
            try:
                result.values[key] = read_param(key, text).value
            except ValueError as e:
                result.problems[key] = str(e)
        elif label is not None:
            parts[label] = text
        else:
            result.unmapped[name] = text
    _header_fields(parts, result)
    return result


def detect_brand(names: dict[str, str] | list[str]) -> str:
    """The brand whose known field names the form has most of; SheetError if none fits."""
    present = {_norm(n) for n in names} | {_norm(_last(n)) for n in names}
    counts = {brand: sum(_norm(n) in present for n in known) for brand, known in SHEETS.items()}
    brand, count = max(counts.items(), key=lambda item: item[1])
    if count < MIN_KNOWN:
        raise SheetError("The form fields of this PDF are not a sheet APEX knows (Tekno, Team "
                         "Associated): enter the setup by hand")
    return brand


def form_fields(data: bytes) -> dict[str, str]:
    """Every form field's qualified name -> its value as text ("" when empty or off)."""
    if len(data) > MAX_BYTES:
        raise SheetError(f"This file is over {MAX_BYTES // 1024 // 1024} MB: a setup sheet "
                         f"must be at most {MAX_BYTES // 1024 // 1024} MB")
    if b"%PDF-" not in data[:1024]:
        raise SheetError("This file is not a PDF: upload the setup sheet as a PDF file")
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            raise SheetError("This PDF is password-protected: save it without a password, "
                             "or enter the setup by hand")
        if len(reader.pages) > MAX_PAGES:
            raise SheetError(TOO_MANY_PAGES)
        if _field_count(reader) > MAX_FIELDS:
            raise SheetError(TOO_MANY_FIELDS)
        found = reader.get_fields() or {}
        filled = {name: _text(f.get("/V")) for name, f in found.items()}
        if sum(len(name) + len(text) for name, text in filled.items()) > MAX_TEXT:
            raise SheetError(TOO_MUCH_TEXT)
    except (SheetError, MemoryError):  # MemoryError: apex.pdf_worker's limit, it says so
        raise
    except Exception:  # whatever pypdf raises on untrusted bytes, it means the same
        raise SheetError("This PDF cannot be read (it may be damaged or encrypted): "
                         "enter the setup by hand") from None
    if not filled:
        raise SheetError(NO_FIELDS)
    return filled


def _field_count(reader: PdfReader) -> int:
    """How many fields and widgets the form has, counted up to MAX_FIELDS + 1 only."""
    root = reader.trailer["/Root"].get_object()
    form = root.get("/AcroForm") if isinstance(root, dict) else None
    form = form.get_object() if form is not None else None
    stack: list[Any] = list(form.get("/Fields") or []) if isinstance(form, dict) else []
    seen = 0
    while stack and seen <= MAX_FIELDS:
        node = stack.pop().get_object()
        seen += 1
        if isinstance(node, dict):
            stack += node.get("/Kids") or []
    return seen


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(t for t in (_text(v) for v in value) if t)
    text = str(value).strip()
    if text.startswith("/"):  # a check box or choice: /Off is unset
        text = "" if text == "/Off" else text[1:]
    return " ".join(text.split())


def _header_fields(parts: dict[str, str], result: SheetResult) -> None:
    """Header texts (by ``HEADER`` name) -> library fields; an unreadable date -> problems."""
    fields = result.fields
    for name in ("Track", "Name"):
        if name in parts:
            fields[HEADER[name]] = parts[name]
    if "Date" in parts:
        day = parse_date(parts["Date"])
        if day is None:
            result.raw["date"] = parts["Date"]
            result.problems["date"] = (f"{parts['Date']!r} is not a date APEX can read: "
                                       "write it as YYYY-MM-DD")
        else:
            fields["date"] = day
    traction = parts.get("Traction", "")
    if traction and "traction" not in traction.casefold():
        traction = f"{traction} Traction"  # "High" -> "High Traction", as the library writes it
    unique: dict[str, str] = {}
    for part in (traction, parts.get("Surface", ""), parts.get("Condition", "")):
        if part:
            unique.setdefault(part.casefold(), part)
    if unique:
        fields["condition"] = ", ".join(unique.values())
    notes = [f"{name}: {parts[name]}" for name in ("Event", "Ambient Temp") if name in parts]
    if notes:
        fields["notes"] = "; ".join(notes)


def parse_date(text: str) -> date | None:
    """``2025-11-02``, ``2025/11/02``, ``2 Nov 2025``, ``November 2, 2025``; else None.

    Day/month numbers (``02/11/2025``) are ambiguous (US sheets write the month
    first) and are left for the racer.
    """
    clean = text.strip()
    match = re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})", clean)
    try:
        if match:
            return date(*(int(g) for g in match.groups()))
    except ValueError:
        return None
    words = clean.replace(",", " ")
    words = " ".join(words.split())
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(words, fmt).date()
        except ValueError:
            continue
    return None


def _norm(name: str) -> str:
    return " ".join(name.split()).casefold()


def _last(name: str) -> str:
    return name.rsplit(".", 1)[-1]
