"""Accent-insensitive search: one folding rule ("montreal" finds "Montréal").

``apex.folding.fold`` is the rule the CSV store applies; PostgreSQL applies
``apex_fold`` (sql/0015_unaccent_search.sql: unaccent, then lower). The two must give
the same answer for every letter a racer types in a European name.
"""

from __future__ import annotations

import unicodedata

import psycopg
import pytest

from apex import migrations
from apex.folding import fold
from apex.models import LibraryQuery
from apex.store import Store
from apex.stores import library_rules as rules
from tests.conftest import new_user
from tests.pg_server import PgServer
from tests.test_store_library import seed

# Latin-1 Supplement and Latin Extended-A: the letters of European names.
LATIN = "".join(c for c in map(chr, range(0xC0, 0x180)) if unicodedata.category(c)[0] == "L")


@pytest.mark.parametrize(("text", "folded"), [
    ("Montréal", "montreal"), ("ÉLODIE", "elodie"), ("Nürburgring", "nurburgring"),
    ("Søndergård", "sondergard"), ("Straße", "strasse"), ("Łódź", "lodz"),
    ("Montre\u0301al", "montreal"),  # typed decomposed: e + a combining accent
    ("Mac's Track", "mac's track"),
])
def test_fold_lowercases_and_takes_accents_off(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_fold_keeps_a_decomposed_accent_inside_its_word() -> None:
    assert rules.words(fold("Montre\u0301al")) == ["montreal"]


def test_postgresql_folds_every_latin_letter_as_the_csv_store(pg: PgServer) -> None:
    name = "apex_folding_rule"
    url = pg.create_database(name)
    try:
        with psycopg.connect(url) as conn:
            migrations.upgrade(conn)
            theirs = conn.execute("SELECT apex_fold(%s)", ("|".join(LATIN),)).fetchone()[0]
    finally:
        pg.drop_database(name)
    ours = "|".join(fold(c) for c in LATIN)
    differ = [(c, a, b) for c, a, b in zip(LATIN, ours.split("|"), theirs.split("|"),
                                            strict=True) if a != b]
    assert differ == []


# -- both stores ------------------------------------------------------------------


@pytest.mark.parametrize("text", ["montreal", "MONTREAL lac", "Montréal", "elodie", "élodie"])
def test_library_search_ignores_accents(store: Store, text: str) -> None:
    seed(store)
    found = store.search_library(LibraryQuery(text=text, per_page=50)).rows
    assert {r.track for r in found} == {"Circuit du Lac — Montréal"}
    assert len(found) == 2


def test_library_search_finds_an_accent_typed_decomposed(store: Store) -> None:
    seed(store)
    found = store.search_library(LibraryQuery(text="Montre\u0301al", per_page=50)).rows
    assert len(found) == 2


def test_theory_search_ignores_accents(store: Store) -> None:
    user = new_user(store)
    doc = store.add_theory_document(user.id, "Pistes de Montréal", "general", "m.md",
                                    "Le circuit de Montréal est bosselé: huile plus fine.")
    assert doc is not None
    assert [p.document_id for p in store.search_theory("montreal")] == [doc.id]
    assert [p.document_id for p in store.search_theory("bossele")] == [doc.id]
