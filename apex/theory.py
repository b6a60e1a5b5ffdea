"""The Theory library's rules, shared by both stores and the blueprint (pure: no Flask, no I/O).

Why it is built this way:
- An upload is untrusted bytes. Its size is checked first (``MAX_BYTES``, not only
  through MAX_CONTENT_LENGTH), then its kind by extension *and* content: a ``.pdf``
  must start with ``%PDF-``; a ``.txt``/``.md`` must hold no NUL byte and decode as
  UTF-8. Anything else is an ``ExtractError`` whose message is for the racer.
- Extracted text is capped (``MAX_CHARS``, ``MAX_PAGES``): a 1 KB PDF whose font maps
  one code to hundreds of characters would otherwise give tens of millions of them,
  past what a CSV cell holds (apex.tables.CELL_MAX). The cap is counted while pypdf
  extracts, so such a file stops at the cap instead of after. Untrusted PDFs are
  parsed in a limited child process (apex.pdf_worker); ``extract_text`` takes that
  reader as ``read_pdf`` so this module stays pure.
- Stored text is clean: no NUL (PostgreSQL refuses it), no other control characters
  but tab and newline, newlines as ``\\n``, and never the two private characters the
  snippets use as hit markers (``HIT_START``/``HIT_END``).
- A snippet is a tuple of ``(text, is_hit)`` pieces, so a template puts the hits in
  ``<mark>`` while Jinja escapes every piece: no ``|safe`` on uploaded text.
- Search words: runs of letters and digits, as in the Setup Library. A catalogue key
  (``SO_F``, ``DF``) also searches its label's words ("front shock oil"), and "tire" /
  "tyre", "center" / "centre" find each other. PostgreSQL stems the words with its
  ``english`` configuration; the CSV store uses ``stem`` below on both the query and
  the documents, and ranks by term frequency (title words count ``TITLE_WEIGHT``
  times), divided by 1 + ln(the document's word count) as PostgreSQL's
  ``ts_rank_cd(..., 1)`` is: a long manual does not win on length alone.
"""

from __future__ import annotations

import functools
import io
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import PurePosixPath

from apex.folding import fold

CATEGORIES: tuple[str, ...] = ("suspension", "diffs", "tyres", "geometry", "engine", "general")
MAX_BYTES = 10 * 1024 * 1024
# As many characters as a 10 MB text file can hold: well under CELL_MAX.
MAX_CHARS = MAX_BYTES
MAX_PAGES = 2_000
TEXT_EXTENSIONS = (".txt", ".text", ".md", ".markdown")
PDF_EXTENSIONS = (".pdf",)
ACCEPT = ".pdf,.txt,.md,.markdown,application/pdf,text/plain,text/markdown"
# PostgreSQL refuses a tsvector over 1 MB; this many distinct words stays well under it.
MAX_DISTINCT_WORDS = 50_000
MAX_QUERY_WORDS = 32
TITLE_WEIGHT = 3
SNIPPET_CHARS = 200
# Snippets are cut from the first this-many characters of a document (ts_headline reads
# the whole text it is given: 10 MB takes a second). A hit further in still ranks.
SNIPPET_SCAN = 500_000
PAGE_CHARS = 20_000  # the reading page shows a long document in pages of about this size

HIT_START, HIT_END = "\ue000", "\ue001"  # private-use characters, removed from stored text

NOT_ACCEPTED = "Upload a PDF, a text file or a Markdown file."
TOO_BIG = "At most 10 MB."
NO_PDF_TEXT = "This PDF has no text to search (a scan?)"
NO_TEXT = "This file has no text to search."
NOT_UTF8 = "This text file is not UTF-8: save it as UTF-8 and upload it again."
BAD_PDF = "This PDF cannot be read (it may be damaged): save it again and upload it."
LOCKED_PDF = "This PDF is password-protected: save it without a password and upload it."
TOO_MUCH_TEXT = (f"This file holds over {MAX_CHARS:,} characters of text: split it into "
                 "smaller files.")
TOO_MANY_PAGES = f"This PDF has over {MAX_PAGES:,} pages: split it into smaller files."
TOO_MANY_WORDS = (f"This file has too many different words to search (over {MAX_DISTINCT_WORDS:,}"
                  "): split it into smaller files.")

WORD = re.compile(r"[^\W_]+")
_KEY_TOKEN = re.compile(r"\w+")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ue000\ue001]")
_SPACES = re.compile(r"\s+")
_VOWEL = re.compile("[aeiouy]")
# Words too common to search by (the CSV store's; PostgreSQL has its own english list).
STOP_WORDS = frozenset("""a an and are as at be but by for from has have if in into is it its
of on or so than that the their then there these they this to was were when which while
who will with you your""".split())
SYNONYMS = {"tire": "tyre", "tyre": "tire", "tires": "tyres", "tyres": "tires",
            "center": "centre", "centre": "center"}


class ExtractError(ValueError):
    """The upload cannot become a searchable document; ``message`` says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# -- uploads ------------------------------------------------------------------------------


def safe_filename(filename: str) -> str:
    """The file's own name (no folders a browser or a crafted form may send), trimmed."""
    return clean_text(PurePosixPath((filename or "").replace("\\", "/")).name).strip()[:200]


def default_title(filename: str) -> str:
    """"Shock oil guide.pdf" -> "Shock oil guide": the title when none is typed."""
    name = safe_filename(filename)
    stem = name.rsplit(".", 1)[0] if "." in name.lstrip(".") else name
    return _SPACES.sub(" ", stem.replace("_", " ")).strip()[:120]


def extract_text(data: bytes, filename: str,
                 read_pdf: Callable[[bytes], str] | None = None) -> str:
    """The searchable text of an uploaded PDF, text or Markdown file; ExtractError if none.
    ``read_pdf`` reads a PDF's text (default ``pdf_text``, in this process; the upload
    route passes apex.pdf_worker's, which runs it in a limited child process)."""
    if len(data) > MAX_BYTES:
        raise ExtractError(TOO_BIG)
    name = safe_filename(filename).lower()
    if name.endswith(PDF_EXTENSIONS) and b"%PDF-" in data[:1024]:
        text = clean_text((read_pdf or pdf_text)(data))
        if not text.strip():
            raise ExtractError(NO_PDF_TEXT)
    elif name.endswith(TEXT_EXTENSIONS) and b"\x00" not in data and b"%PDF-" not in data[:1024]:
        try:
            text = clean_text(data.decode("utf-8-sig"))
        except UnicodeDecodeError:
            raise ExtractError(NOT_UTF8) from None
        if not text.strip():
            raise ExtractError(NO_TEXT)
    else:
        raise ExtractError(NOT_ACCEPTED)
    check_searchable(text)
    return text


class _TooMuchText(Exception):
    pass


def pdf_text(data: bytes) -> str:
    """Every page's text; ExtractError past MAX_PAGES or MAX_CHARS (counted as pypdf
    hands out text, so a font that expands each code stops at the cap)."""
    from pypdf import PasswordType, PdfReader

    seen = 0

    def count(text: str, *_: object) -> None:
        nonlocal seen
        seen += len(text)
        if seen > MAX_CHARS:
            raise _TooMuchText

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            raise ExtractError(LOCKED_PDF)
        if len(reader.pages) > MAX_PAGES:
            raise ExtractError(TOO_MANY_PAGES)
        return "\n\n".join((page.extract_text(visitor_text=count) or "").strip()
                           for page in reader.pages)
    except (ExtractError, MemoryError):  # MemoryError: apex.pdf_worker's limit, it says so
        raise
    except _TooMuchText:
        raise ExtractError(TOO_MUCH_TEXT) from None
    except Exception:  # whatever pypdf raises on untrusted bytes, it means the same
        raise ExtractError(BAD_PDF) from None


def clean_text(text: str) -> str:
    """Text fit to store: newlines as \\n, no NUL, control or hit-marker characters."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    return _CONTROL.sub("", text)


def document_fields(title: str, category: str, filename: str, content: str) -> dict[str, str]:
    """What a store writes for a new document: clean text, trimmed names."""
    return {"title": clean_text(title or "").strip(), "category": (category or "").strip(),
            "filename": safe_filename(filename), "content": clean_text(content or "")}


def check_searchable(text: str) -> None:
    """ExtractError when the text is over MAX_CHARS or has more distinct words than a
    search index holds. Both stores call it before they write a document."""
    if len(text) > MAX_CHARS:
        raise ExtractError(TOO_MUCH_TEXT)
    if len({w.lower() for w in WORD.findall(text)}) > MAX_DISTINCT_WORDS:
        raise ExtractError(TOO_MANY_WORDS)


# -- search words -------------------------------------------------------------------------


def _key_labels() -> dict[str, str]:
    from apex.catalogue import LABELS

    return {key.lower(): label for key, label in LABELS.items()}


def query_words(text: str | Iterable[str]) -> list[str]:
    """The words to search for, folded (apex.folding), each once, in order (at most
    MAX_QUERY_WORDS): a catalogue key adds its label's words, tire/tyre and
    center/centre each other."""
    raw = text if isinstance(text, str) else " ".join(text)
    labels = _key_labels()
    found: list[str] = []
    for token in _KEY_TOKEN.findall(raw):
        found += WORD.findall(fold(token))
        if (label := labels.get(token.lower())) is not None:
            found += WORD.findall(label.lower())
    found += [SYNONYMS[w] for w in found if w in SYNONYMS]
    return list(dict.fromkeys(found))[:MAX_QUERY_WORDS]


def tsquery(words: Iterable[str]) -> str:
    """A PostgreSQL tsquery matching ANY of the words. Each word is letters and digits
    only, quoted, so nothing the racer typed is read as tsquery syntax."""
    return " | ".join(f"'{w}'" for w in words if WORD.fullmatch(w))


@functools.lru_cache(maxsize=1 << 16)  # a text repeats its words: stem each once
def stem(word: str) -> str:
    """The CSV store's stemmer, on both sides: fold (lowercase, no accents); drop a
    plural "es" or "s" (not "ss"), then an "ing" or "ed" (not the "ed" of "eed"; only
    after a vowel: "spring" and "shed" stay), then a final "e"; at least 3 letters
    always stay. "landings" -> "land"; "tuned", "tunes", "tuning", "tune" -> "tun"."""
    w = fold(word)
    for suffixes in (("es", "s"), ("ing", "ed")):
        for suffix in suffixes:
            rest = w[: -len(suffix)]
            if (w.endswith(suffix) and len(rest) >= 3 and not w.endswith(("ss", "eed"))
                    and (suffix in ("es", "s") or _VOWEL.search(rest))):
                w = rest
                break
    if w.endswith("e") and len(w) > 3:
        w = w[:-1]
    return w


def query_terms(text: str | Iterable[str]) -> frozenset[str]:
    """The stems the CSV store searches for (stop words left out)."""
    return frozenset(stem(w) for w in query_words(text) if w not in STOP_WORDS)


# -- the CSV store's ranking --------------------------------------------------------------


def term_counts(text: str) -> Counter[str]:
    """How often each stem occurs in ``text``. The words are counted first and each
    distinct one stemmed once: a 10 MB manual has millions of words, not of spellings."""
    counts: Counter[str] = Counter()
    for word, n in Counter(WORD.findall(text)).items():
        counts[stem(word)] += n
    return counts


def score(title: Counter[str], content: Counter[str], terms: frozenset[str],
          length: int | None = None) -> float:
    """Term frequency over title (x TITLE_WEIGHT) and content, damped by the length
    (the word count, worked out when not given); 0 when no term occurs."""
    hits = sum(TITLE_WEIGHT * title[t] + content[t] for t in terms)
    if not hits:
        return 0.0
    if length is None:
        length = sum(title.values()) + sum(content.values())
    return hits / (1 + math.log(1 + length))


# -- snippets and marked text -------------------------------------------------------------

Pieces = tuple[tuple[str, bool], ...]


def _joined(pieces: Iterable[tuple[str, bool]]) -> Pieces:
    """Neighbouring pieces of the same kind as one; empty pieces dropped."""
    out: list[tuple[str, bool]] = []
    for text, hit in pieces:
        if not text:
            continue
        if out and out[-1][1] == hit:
            out[-1] = (out[-1][0] + text, hit)
        else:
            out.append((text, hit))
    return tuple(out)


# Markdown's marks, left out of a snippet: "# " and "> " starting a line, "**", "__",
# "`", a single "*" around a word, and a link's brackets and address ("[text](url)").
_MARKDOWN = re.compile(r"^[ \t]*(?:#{1,6}|>)(?=\s)|\*\*|__|`|!?\[(?=[^\]\n]*\]\()"
                       r"|\]\([^)\s]*\)|(?:^|(?<=\s))\*(?=[^\s*])|(?<=[^\s*])\*(?=[\s.,;:!?)]|$)",
                       re.MULTILINE)


_BULLET = re.compile(r"^[ \t]*[-*+][ \t]+", re.MULTILINE)


def plain(text: str) -> str:
    """``text`` without Markdown's marks (for a one-line snippet); a list item's dash as
    "• ", so the items still read apart on one line."""
    return _MARKDOWN.sub("", _BULLET.sub("• ", text))


def pieces_from_marked(marked: str) -> Pieces:
    """``ts_headline`` output (hits between HIT_START and HIT_END) as pieces, with runs of
    white space as one space (a snippet is one line), Markdown's marks left out."""
    out: list[tuple[str, bool]] = []
    for i, part in enumerate(re.split(f"[{HIT_START}{HIT_END}]", plain(marked))):
        out.append((_SPACES.sub(" ", part), i % 2 == 1))
    return _strip(_joined(out))


def _strip(pieces: Pieces) -> Pieces:
    if not pieces:
        return pieces
    items = list(pieces)
    items[0] = (items[0][0].lstrip(), items[0][1])
    items[-1] = (items[-1][0].rstrip(), items[-1][1])
    return _joined(items)


def mark(text: str, terms: frozenset[str]) -> Pieces:
    """``text`` as pieces, the words whose stem is a term marked (white space kept)."""
    out: list[tuple[str, bool]] = []
    last = 0
    for m in WORD.finditer(text):
        if stem(m.group()) in terms:
            out += [(text[last:m.start()], False), (m.group(), True)]
            last = m.end()
    out.append((text[last:], False))
    return _joined(out)


def snippet(content: str, terms: frozenset[str], width: int = SNIPPET_CHARS) -> Pieces:
    """About ``width`` characters around the densest run of hits, hits marked; the
    beginning of the text when no word is a hit."""
    scan = content[:SNIPPET_SCAN]
    hits = [m.start() for m in WORD.finditer(scan) if stem(m.group()) in terms]
    if not hits:
        start = 0
    else:
        best, count, j = 0, 0, 0
        for i, begin in enumerate(hits):  # the window [begin, begin + width) with most hits
            j = max(j, i)
            while j + 1 < len(hits) and hits[j + 1] < begin + width * 3 // 4:
                j += 1
            if j - i + 1 > count:
                best, count = begin, j - i + 1
        start = max(0, best - width // 5)
        if start:  # start at a word
            space = scan.find(" ", start, best)
            start = space + 1 if space != -1 else best
    end = min(len(scan), start + width)
    if end < len(scan):
        space = scan.rfind(" ", start + width // 2, end)
        end = space if space != -1 else end
    text = ("… " if start else "") + scan[start:end] + (" …" if end < len(content) else "")
    return pieces_from_marked("".join(
        f"{HIT_START}{t}{HIT_END}" if hit else t for t, hit in mark(text, terms)))


def pages(content: str, size: int = PAGE_CHARS) -> list[str]:
    """A long text in pages of about ``size`` characters, each ending at a line break
    where there is one (at least one page, even for "")."""
    out: list[str] = []
    start = 0
    while len(content) - start > size:
        cut = content.rfind("\n", start + size // 2, start + size)
        end = cut + 1 if cut != -1 else start + size
        out.append(content[start:end])
        start = end
    out.append(content[start:])
    return out


def first_page_with(texts: list[str], terms: frozenset[str]) -> int:
    """The number (from 1) of the first page with a word whose stem is a term, else 1."""
    for number, text in enumerate(texts, start=1):
        if any(stem(w) in terms for w in WORD.findall(text)):
            return number
    return 1


# -- the notes that ship with APEX --------------------------------------------------------

NOTES_DIR = "theory_notes"


def bundled_notes() -> list[tuple[str, str, str, str]]:
    """(filename, title, category, text) of every note in apex/theory_notes/: the
    category is the file name's first word ("diffs-oil.md"), the title its "# " line."""
    from importlib.resources import files

    notes = []
    for path in sorted(files("apex").joinpath(NOTES_DIR).iterdir(), key=lambda p: p.name):
        if not path.name.endswith(".md"):
            continue
        text = clean_text(path.read_text(encoding="utf-8"))
        first = text.lstrip().split("\n", 1)[0]
        title = first.lstrip("#").strip() if first.startswith("#") else default_title(path.name)
        category = path.name.split("-", 1)[0]
        notes.append((path.name, title, category if category in CATEGORIES else "general", text))
    return notes


def note_rows(uploaded_by: str | None) -> list[dict]:
    """The bundled notes as ``theory_documents`` rows for an import. Their ids are fixed
    (derived from the file names), so importing them again changes nothing."""
    import uuid

    return [{"id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"apex:theory-notes/{name}")),
             "filename": name, "title": title, "category": category, "content": text,
             "file_path": "", "uploaded_by": uploaded_by}
            for name, title, category, text in bundled_notes()]
