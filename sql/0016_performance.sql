-- Performance (issue 17).
--
-- 1. One transaction per request (apex/stores/postgres.py): now() is the time the
--    transaction began, the same for every row a request adds, so rows listed in the
--    order they were added (the advisor's proposals, changes, notes, runs) would tie and
--    fall back to their random ids. They take the time of the insert itself instead.
DO $$
DECLARE c record;
BEGIN
    FOR c IN SELECT table_name, column_name FROM information_schema.columns
             WHERE table_schema = current_schema()
               AND column_name IN ('created_at', 'timestamp', 'started_at')
               AND column_default = 'now()'
    LOOP
        EXECUTE format('ALTER TABLE %I ALTER COLUMN %I SET DEFAULT clock_timestamp()',
                       c.table_name, c.column_name);
    END LOOP;
END $$;
