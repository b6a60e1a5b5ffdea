"""The Theory library on CSV files: tuning documents and a term-frequency search.

``TheoryMethods`` is a base class of ``CsvStore``; each method is one transaction
(the store's lock held). The library is shared: every racer reads it, only the
uploader (a ``users.id``) or an admin deletes a document.

Search ranks by term frequency (apex.theory: ``query_terms``, ``term_counts``,
``score``, ``snippet``): the same words as PostgreSQL's search, a simpler stemmer,
title words counted three times. Each document's stem counts are kept per row
object (the parse cache hands out the same rows until one changes), so a search
does not re-read every text and an upload counts only the new one.
"""

from __future__ import annotations

import uuid
import weakref
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime

from apex import theory
from apex.models import TheoryDocument, TheoryPassage
from apex.stores.csv_lock import locked
from apex.stores.csv_rows import Row
from apex.stores.csv_tables import CsvTables

TABLE = "theory_documents"
_NEVER = datetime.min.replace(tzinfo=UTC)


class _Counted:
    """Each document's stem counts (title, content) and word count, by row id. A row is
    counted again only when it is another object (the cache hands out the same rows
    until one changes), so an upload counts the new document, not the library."""

    def __init__(self) -> None:
        self.by_id: dict[str, tuple[Row, Counter[str], Counter[str], int]] = {}

    def of(self, rows: list[Row]) -> list[tuple[Row, Counter[str], Counter[str], int]]:
        fresh = {}
        for row in rows:
            hit = self.by_id.get(row["id"])
            if hit is None or hit[0] is not row:
                title, content = theory.term_counts(row["title"]), theory.term_counts(
                    row["content"])
                hit = (row, title, content, title.total() + content.total())
            fresh[row["id"]] = hit
        self.by_id = fresh
        return list(fresh.values())


_counted: weakref.WeakKeyDictionary[CsvTables, _Counted] = weakref.WeakKeyDictionary()


def _documents(tables: CsvTables) -> list[tuple[Row, Counter[str], Counter[str], int]]:
    return _counted.setdefault(tables, _Counted()).of(tables.read(TABLE))


def _usernames(tables: CsvTables) -> dict[str, str]:
    return {u["id"]: u["username"] for u in tables.read("users")}


def _document(row: Row, names: dict[str, str], *, content: bool) -> TheoryDocument:
    by = row["uploaded_by"]
    return TheoryDocument(
        id=row["id"], title=row["title"], category=row["category"], filename=row["filename"],
        content=row["content"] if content else "", uploaded_by=by,
        uploader=names.get(by, "") if by else "", created_at=row["created_at"])


def _newest_first(row: Row) -> tuple:
    return (row["created_at"] or _NEVER, row["id"])


def search(tables: CsvTables, text: str, limit: int, category: str) -> list[TheoryPassage]:
    terms = theory.query_terms(text)
    if not terms or limit <= 0:
        return []
    scored = []
    for row, title, content, length in _documents(tables):
        if category and row["category"].lower() != category.lower():
            continue
        if rank := theory.score(title, content, terms, length):
            scored.append((rank, _newest_first(row), row))
    scored.sort(key=lambda s: (s[0], s[1]), reverse=True)
    return [TheoryPassage(row["id"], row["title"], row["category"],
                          theory.snippet(row["content"], terms), rank)
            for rank, _, row in scored[:limit]]


class TheoryMethods:
    """The Theory library part of ``CsvStore`` (a base class of it), on its ``_tables``,
    ``_key_used`` and ``_remember_key``."""

    _tables: CsvTables
    _key_used: Callable[[Row, str | None], bool]
    _remember_key: Callable[[Row, str | None], None]

    @locked
    def add_theory_document(
        self, user_id: str, title: str, category: str, filename: str, content: str,
        *, request_key: str | None = None,
    ) -> TheoryDocument | None:
        """LookupError for an unknown user, as PostgreSQL's foreign key refuses it."""
        user = self._tables.first("users", id=user_id)
        if user is None:
            raise LookupError(f"no user {user_id!r}")
        owner = {"user_id": user["id"]}  # request keys are the user's (the key helpers'
        if self._key_used(owner, request_key):  # "profile" needs only its user_id)
            return None
        fields = theory.document_fields(title, category, filename, content)
        theory.check_searchable(fields["content"])  # as PostgreSQL's index would refuse it
        row = {"id": str(uuid.uuid4()), **fields, "file_path": "", "uploaded_by": user["id"],
               "created_at": datetime.now(UTC)}
        self._tables.insert(TABLE, row)
        self._remember_key(owner, request_key)
        return _document(row, {user["id"]: user["username"]}, content=True)

    @locked
    def list_theory_documents(self, *, category: str = "") -> list[TheoryDocument]:
        rows = [r for r in self._tables.read(TABLE)
                if not category or r["category"].lower() == category.lower()]
        names = _usernames(self._tables)
        return [_document(r, names, content=False)
                for r in sorted(rows, key=_newest_first, reverse=True)]

    @locked
    def get_theory_document(self, document_id: str) -> TheoryDocument | None:
        row = self._tables.first(TABLE, id=str(document_id))
        return None if row is None else _document(row, _usernames(self._tables), content=True)

    @locked
    def delete_theory_document(self, user_id: str, document_id: str, *,
                               is_admin: bool = False) -> bool:
        row = self._tables.first(TABLE, id=str(document_id))
        if row is None or not (is_admin or (user_id and row["uploaded_by"] == user_id)):
            return False
        return self._tables.remove(TABLE, id=row["id"])

    @locked
    def search_theory(self, text: str, *, limit: int = 5, category: str = ""
                      ) -> list[TheoryPassage]:
        return search(self._tables, text, limit, category)

