-- 0020_library_summaries: the Setup Library's counts and community ranges, kept by the
-- writes instead of read from 100 000 rows per page (issue 17, scripts/bench_library).
--
-- Two derived tables (apex/tables.py DERIVED: PostgreSQL only, never exported, rebuilt
-- from master_library here), kept by statement triggers in the writing transaction,
-- whatever writes (the store, an import, COPY, psql):
--   library_cars    rows per car (lower(brand), lower(vehicle)): the unfiltered count
--                   is their sum, a car's count one row.
--   library_values  per car, parameter and value, how many rows set it so: a car's
--                   community ranges (count, min, median, max, most common text) are
--                   computed from these few hundred rows by apex.community.from_counts,
--                   the same function the CSV store calls.
-- The rows of one statement are folded in at once (transition tables), so an import or
-- a COPY of 100 000 rows costs one aggregate, not 100 000 upserts.
--
-- A value is the cell as text: a number as PostgreSQL prints its column (numeric(8,2)
-- 2.30 is "2.30"), a text trimmed; NULL and blank cells are not counted. A parameter is
-- any column that is none of the fixed ones below, so a parameter the catalogue adds
-- later is counted with no change here (the readers ask for catalogue keys only).
-- For text values, "newest" is the place (date, then id, as the library lists rows) of
-- the newest row written so: the most common value is shown as its newest row wrote it,
-- and a tie goes to the value with the newest row. A delete or update that takes that
-- row away looks the next one up (a car's rows through master_library_car_idx).

CREATE TABLE library_cars (
    brand   text NOT NULL,
    vehicle text NOT NULL,
    rows    integer NOT NULL,
    PRIMARY KEY (brand, vehicle)
);

CREATE TABLE library_values (
    brand   text NOT NULL,
    vehicle text NOT NULL,
    param   text NOT NULL,
    value   text NOT NULL,
    rows    integer NOT NULL,
    newest  bigint,
    PRIMARY KEY (brand, vehicle, param, value)
);

-- A row's place in the library's order (date DESC, id DESC) as one number.
CREATE FUNCTION library_place(day date, id integer) RETURNS bigint
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN (day - DATE '2000-01-01')::bigint * 1000000000000 + id;

-- The statement that puts the parameter cells of the rows of ``source`` (a transition
-- table, or master_library) into library_cells with ``sign``: every column of
-- master_library but the fixed ones, unpivoted, the set ones only. Built from the
-- catalogue of columns when it runs, so a parameter column added later is in it.
CREATE FUNCTION library_cells_sql(source text, sign integer) RETURNS text
    LANGUAGE sql STABLE
    BEGIN ATOMIC
        SELECT format('INSERT INTO library_cells SELECT %s, lower(r.brand), lower(r.vehicle),'
                      ' v.param, btrim(v.value), v.is_text, library_place(r.date, r.id)'
                      ' FROM %I r CROSS JOIN LATERAL (VALUES %s) v(param, value, is_text)'
                      ' WHERE btrim(v.value) <> %L', sign, source,
                      string_agg(format('(%L, r.%I::text, %L::boolean)', a.attname, a.attname,
                                        a.atttypid IN ('text'::regtype, 'varchar'::regtype)),
                                 ', ' ORDER BY a.attnum), '')
        FROM pg_attribute a
        WHERE a.attrelid = 'master_library'::regclass AND a.attnum > 0
          AND NOT a.attisdropped AND a.attgenerated = ''
          AND a.attname <> ALL (ARRAY['id', 'track', 'brand', 'vehicle', 'condition', 'date',
                                      'source', 'driver_name', 'submitted_by', 'notes',
                                      'version', 'created_at', 'updated_at']);
    END;

-- What one statement changed, filled by the triggers below, folded in by
-- library_summaries_fold() and emptied. Per session, so concurrent writers never meet.
CREATE FUNCTION library_summaries_scratch() RETURNS void
    LANGUAGE plpgsql AS $$
BEGIN
    IF to_regclass('pg_temp.library_cells') IS NULL THEN
        CREATE TEMP TABLE library_car_deltas (
            brand text, vehicle text, sign integer) ON COMMIT DELETE ROWS;
        CREATE TEMP TABLE library_cells (
            sign integer, brand text, vehicle text, param text, value text,
            is_text boolean, place bigint) ON COMMIT DELETE ROWS;
    END IF;
    DELETE FROM library_car_deltas;
    DELETE FROM library_cells;
END $$;

CREATE FUNCTION library_summaries_fold() RETURNS void
    LANGUAGE plpgsql AS $$
DECLARE
    stale record;
    found bigint;
BEGIN
    -- In key order, so concurrent writers take the summary rows' locks in one order.
    INSERT INTO library_cars AS c (brand, vehicle, rows)
    SELECT brand, vehicle, sum(sign) FROM library_car_deltas
    GROUP BY brand, vehicle HAVING sum(sign) <> 0 ORDER BY brand, vehicle
    ON CONFLICT (brand, vehicle) DO UPDATE SET rows = c.rows + excluded.rows;
    DELETE FROM library_cars WHERE rows <= 0;

    INSERT INTO library_values AS v (brand, vehicle, param, value, rows, newest)
    SELECT brand, vehicle, param, value, sum(sign),
           max(place) FILTER (WHERE sign > 0 AND is_text)
    FROM library_cells GROUP BY brand, vehicle, param, value
    HAVING sum(sign) <> 0 OR bool_or(sign > 0 AND is_text)
    ORDER BY brand, vehicle, param, value
    ON CONFLICT (brand, vehicle, param, value) DO UPDATE
    SET rows = v.rows + excluded.rows, newest = greatest(v.newest, excluded.newest);
    DELETE FROM library_values WHERE rows <= 0  -- among the written cars' rows only
        AND (brand, vehicle) IN (SELECT brand, vehicle FROM library_car_deltas);

    -- A text value whose newest row went (and did not come back in place): the next
    -- newest row written so, among the car's rows.
    FOR stale IN
        SELECT DISTINCT v.brand, v.vehicle, v.param, v.value
        FROM library_values v JOIN library_cells c USING (brand, vehicle, param, value)
        WHERE c.sign < 0 AND c.is_text AND v.newest = c.place
          AND NOT EXISTS (SELECT FROM library_cells k WHERE k.sign > 0 AND k.place = c.place
                          AND (k.brand, k.vehicle, k.param, k.value)
                              = (c.brand, c.vehicle, c.param, c.value))
    LOOP
        EXECUTE format('SELECT max(library_place(date, id)) FROM master_library'
                       ' WHERE lower(brand) = $1 AND lower(vehicle) = $2'
                       ' AND btrim(%I::text) = $3', stale.param)
            INTO found USING stale.brand, stale.vehicle, stale.value;
        UPDATE library_values SET newest = found
        WHERE (brand, vehicle, param, value)
              = (stale.brand, stale.vehicle, stale.param, stale.value);
    END LOOP;
    DELETE FROM library_car_deltas;
    DELETE FROM library_cells;
END $$;

CREATE FUNCTION library_summaries_write() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM library_summaries_scratch();
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO library_car_deltas SELECT lower(brand), lower(vehicle), 1 FROM new_rows;
        EXECUTE library_cells_sql('new_rows', 1);
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        INSERT INTO library_car_deltas SELECT lower(brand), lower(vehicle), -1 FROM old_rows;
        EXECUTE library_cells_sql('old_rows', -1);
    END IF;
    PERFORM library_summaries_fold();
    RETURN NULL;
END $$;

CREATE TRIGGER library_summaries_insert AFTER INSERT ON master_library
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION library_summaries_write();
CREATE TRIGGER library_summaries_update AFTER UPDATE ON master_library
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION library_summaries_write();
CREATE TRIGGER library_summaries_delete AFTER DELETE ON master_library
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION library_summaries_write();

CREATE FUNCTION library_summaries_truncate() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM library_values;
    DELETE FROM library_cars;
    RETURN NULL;
END $$;
CREATE TRIGGER library_summaries_truncate AFTER TRUNCATE ON master_library
    FOR EACH STATEMENT EXECUTE FUNCTION library_summaries_truncate();

-- The rows already there.
SELECT library_summaries_scratch();
INSERT INTO library_car_deltas SELECT lower(brand), lower(vehicle), 1 FROM master_library;
DO $$ BEGIN EXECUTE library_cells_sql('master_library', 1); END $$;
SELECT library_summaries_fold();

-- A car narrowed to a track or a condition (community ranges): that car's rows at that
-- track or in that condition only, not all of the car's rows filtered.
CREATE INDEX master_library_car_track_idx
    ON master_library (lower(brand), lower(vehicle), lower(track));
CREATE INDEX master_library_car_condition_idx
    ON master_library (lower(brand), lower(vehicle), lower(condition));
