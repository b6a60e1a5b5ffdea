-- 0015_unaccent_search: search without accents ("montreal" finds "Montréal").
--
-- apex_fold(text) is the folding rule on PostgreSQL: unaccent's dictionary, then lower.
-- The CSV store folds with apex.folding.fold; tests/test_folding.py holds the two to
-- the same answer for every Latin letter. unaccent ships with Debian's postgresql
-- package (contrib) and is a trusted extension: the database's owner may create it.
-- The function body is SQL-standard (PostgreSQL 14 and later), so its references are
-- bound when it is created and it is safely IMMUTABLE, as a generated column needs.
--
-- The search columns of 0002 (library) and 0005 (theory) are made again over folded
-- text, with their GIN indexes (a generated column's expression cannot be altered).
CREATE EXTENSION IF NOT EXISTS unaccent;

CREATE FUNCTION apex_fold(text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN lower(unaccent('unaccent'::regdictionary, $1));

ALTER TABLE master_library DROP COLUMN search;
ALTER TABLE master_library ADD COLUMN search tsvector GENERATED ALWAYS AS (
    to_tsvector('simple', regexp_replace(apex_fold(
        track || ' ' || brand || ' ' || vehicle || ' ' || driver_name || ' ' || condition),
        '[[:punct:]]+', ' ', 'g'))
) STORED;
CREATE INDEX master_library_search_idx ON master_library USING gin (search);

ALTER TABLE theory_documents DROP COLUMN search;
ALTER TABLE theory_documents ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', apex_fold(coalesce(title, ''))), 'A')
    || to_tsvector('english', apex_fold(coalesce(content, '')))
) STORED;
CREATE INDEX theory_documents_search_idx ON theory_documents USING gin (search);
