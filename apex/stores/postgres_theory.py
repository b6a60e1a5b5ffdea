"""The Theory library on PostgreSQL: tuning documents and their full-text search.

``TheoryMethods`` is a base class of ``PostgresStore``; each method is one
transaction of ``PostgresStore._tx``. The library is shared: every racer reads it,
only the uploader (a ``users.id``) or an admin deletes a document.

Search: the ``search`` column (sql/0005_theory_search.sql: the title at weight A,
the text at D) against a tsquery of the words joined with ``|`` (a document
matching ANY word is found), ranked by ``ts_rank_cd`` with a title word counting
three times and damped by length (normalisation 1). Only the best ``limit`` rows
get a ``ts_headline`` (it reads the text), between private marker characters that
``apex.theory.pieces_from_marked`` splits into pieces.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

import psycopg

from apex import theory
from apex.models import TheoryDocument, TheoryPassage
from apex.request_keys import REQUEST_KEY_DAYS
from apex.stores.postgres_keys import ids
from apex.stores.postgres_params import Conn, one

_DOC = """d.id::text, d.title, d.category, d.filename, d.uploaded_by::text AS uploaded_by,
coalesce(u.username, '') AS uploader, d.created_at"""
INSERT = f"""WITH d AS (
INSERT INTO theory_documents (filename, title, category, content, uploaded_by)
VALUES (%(filename)s, %(title)s, %(category)s, %(content)s, %(user_id)s)
RETURNING id, title, category, filename, uploaded_by, created_at)
SELECT {_DOC} FROM d LEFT JOIN users u ON u.id = d.uploaded_by"""
LIST = f"""SELECT {_DOC} FROM theory_documents d LEFT JOIN users u ON u.id = d.uploaded_by
WHERE %(category)s = '' OR lower(d.category) = lower(%(category)s)
ORDER BY d.created_at DESC, d.id DESC"""
GET = f"""SELECT {_DOC}, d.content FROM theory_documents d
LEFT JOIN users u ON u.id = d.uploaded_by WHERE d.id = %(id)s"""
DELETE = """DELETE FROM theory_documents
WHERE id = %(id)s AND (uploaded_by = %(user_id)s OR %(is_admin)s)"""
# weights {D, C, B, A}: the text is D, the title A (three times a text word).
# The words are folded as the search column is (sql/0015_unaccent_search.sql).
SEARCH = """WITH q AS (SELECT to_tsquery('english', apex_fold(%(query)s)) AS query),
best AS (
SELECT d.id, ts_rank_cd('{0.1, 0.1, 0.1, 0.3}', d.search, q.query, 1) AS rank, d.created_at
FROM theory_documents d, q
WHERE d.search @@ q.query AND (%(category)s = '' OR lower(d.category) = lower(%(category)s))
ORDER BY rank DESC, d.created_at DESC, d.id DESC LIMIT %(limit)s)
SELECT d.id::text AS document_id, d.title, d.category, best.rank,
ts_headline('english', left(d.content, %(scan)s), q.query, %(options)s) AS marked
FROM best JOIN theory_documents d ON d.id = best.id, q
ORDER BY best.rank DESC, best.created_at DESC, d.id DESC"""
HEADLINE = (f'StartSel="{theory.HIT_START}", StopSel="{theory.HIT_END}", MaxFragments=2, '
            'MaxWords=18, MinWords=8, FragmentDelimiter=" … "')

USER_EXISTS = "SELECT 1 FROM users WHERE id = %(user_id)s"
# request_keys belong to users: the same one-time keys as apex.stores.postgres_keys.claim,
# reached by the user id this library is credited to instead of a racer profile.
CLAIM_KEY = """INSERT INTO request_keys (key, user_id) VALUES (%(key)s, %(user_id)s)
ON CONFLICT DO NOTHING RETURNING key"""
FORGET_KEYS = """DELETE FROM request_keys
WHERE user_id = %(user_id)s AND created_at < now() - make_interval(days => %(days)s)"""


def _claim(conn: Conn, user_id: str, request_key: str | None) -> bool:
    """Record the form's one-time key; False if this user used it already."""
    if not request_key:
        return True
    params = {"user_id": user_id, "key": request_key, "days": REQUEST_KEY_DAYS}
    conn.execute(FORGET_KEYS, params)
    return conn.execute(CLAIM_KEY, params).fetchone() is not None


def add(conn: Conn, user_id: str, fields: dict[str, str],
        request_key: str | None) -> TheoryDocument | None:
    if (key := ids(user_id=user_id)) is None or not conn.execute(USER_EXISTS, key).fetchone():
        raise LookupError(f"no user {user_id!r}")
    if not _claim(conn, key["user_id"], request_key):
        return None
    theory.check_searchable(fields["content"])  # ValueError, as the CSV store
    try:
        row = one(conn, INSERT, {**fields, **key})
    except psycopg.errors.ProgramLimitExceeded:  # "string is too long for tsvector"
        # NOTE: apex.theory.check_searchable refuses such text first; this is the backstop.
        # The whole transaction, the claimed key with it, is rolled back.
        raise ValueError(theory.TOO_MANY_WORDS) from None
    return TheoryDocument(**row, content=fields["content"])


def search(conn: Conn, text: str, limit: int, category: str
           ) -> list[TheoryPassage]:
    query = theory.tsquery(theory.query_words(text))
    if not query or limit <= 0:
        return []
    params = {"query": query, "limit": int(limit), "category": category or "",
              "scan": theory.SNIPPET_SCAN, "options": HEADLINE}
    return [TheoryPassage(row["document_id"], row["title"], row["category"],
                          theory.pieces_from_marked(row["marked"]), float(row["rank"]))
            for row in conn.execute(SEARCH, params).fetchall()]


class TheoryMethods:
    """The Theory library part of ``PostgresStore`` (a base class of it)."""

    _tx: Callable[..., AbstractContextManager[Conn]]

    def add_theory_document(
        self, user_id: str, title: str, category: str, filename: str, content: str,
        *, request_key: str | None = None,
    ) -> TheoryDocument | None:
        fields = theory.document_fields(title, category, filename, content)
        with self._tx() as conn:
            return add(conn, user_id, fields, request_key)

    def list_theory_documents(self, *, category: str = "") -> list[TheoryDocument]:
        with self._tx(read=True) as conn:
            rows = conn.execute(LIST, {"category": category or ""}).fetchall()
        return [TheoryDocument(**row) for row in rows]

    def get_theory_document(self, document_id: str) -> TheoryDocument | None:
        if (key := ids(id=document_id)) is None:
            return None
        with self._tx(read=True) as conn:
            row = conn.execute(GET, key).fetchone()
        return TheoryDocument(**row) if row else None

    def delete_theory_document(self, user_id: str, document_id: str, *,
                               is_admin: bool = False) -> bool:
        if (key := ids(id=document_id)) is None:
            return False
        uploader = ids(user_id=user_id)
        if uploader is None and not is_admin:
            return False
        args = {**key, "user_id": uploader["user_id"] if uploader else None,
                "is_admin": bool(is_admin)}
        with self._tx() as conn:
            return conn.execute(DELETE, args).rowcount > 0

    def search_theory(self, text: str, *, limit: int = 5, category: str = ""
                      ) -> list[TheoryPassage]:
        with self._tx(read=True) as conn:
            return search(conn, text, limit, category)
