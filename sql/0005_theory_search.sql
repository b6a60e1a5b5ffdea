-- 0005_theory_search: rank Theory library hits in the title above those in the text.
--
-- The search column of 0001 weighs a title word like any word of the text. Title
-- words now carry weight A, the text weight D; apex/stores/postgres_theory.py ranks
-- with ts_rank_cd weights that make a title word count three times, as the CSV store
-- does (apex/theory.py, TITLE_WEIGHT). A generated column's expression cannot be
-- altered on PostgreSQL 15, so the column (and its GIN index) is made again.
ALTER TABLE theory_documents DROP COLUMN search;
ALTER TABLE theory_documents ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', coalesce(title, '')), 'A')
    || to_tsvector('english', coalesce(content, ''))
) STORED;
CREATE INDEX theory_documents_search_idx ON theory_documents USING gin (search);
-- Newest first, for the list.
CREATE INDEX theory_documents_newest_idx ON theory_documents (created_at DESC, id DESC);
