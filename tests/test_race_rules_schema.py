"""apex.race_rules.ON_DELETE (what the CSV store applies when a row goes) against the
foreign keys of the real PostgreSQL schema, so the two cannot drift apart."""

from __future__ import annotations

import psycopg

from apex import race_rules as rules

# pg_constraint.confdeltype -> the rule's word (a = NO ACTION, r = RESTRICT: none used).
_ACTIONS = {"c": rules.CASCADE, "n": rules.SET_NULL, "a": "NO ACTION", "r": "RESTRICT",
            "d": "SET DEFAULT"}
FOREIGN_KEYS = """SELECT c.conrelid::regclass::text AS child, a.attname AS col,
c.confrelid::regclass::text AS parent, c.confdeltype AS action
FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey)
WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace"""


def test_on_delete_is_every_foreign_key_of_the_schema(pg_url: str) -> None:
    with psycopg.connect(pg_url) as conn:
        rows = conn.execute(FOREIGN_KEYS).fetchall()
    schema = {(child, col): (parent, _ACTIONS[action]) for child, col, parent, action in rows}
    assert schema == rules.ON_DELETE
