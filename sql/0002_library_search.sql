-- 0002_library_search: fast Setup Library search, paging and filter lists at 100 000
-- rows (scripts/bench_library times them).
--
-- Free text: every search word must start a word of the track, brand, vehicle,
-- driver name or condition (apex/stores/library_rules.py). Punctuation becomes a
-- space before the text is split, so a word is a run of letters and digits, as in
-- the CSV store: without it the parser keeps "J.Smith", "1/8" or "www.x.com" whole
-- and "smith" would not find "J.Smith".
ALTER TABLE master_library ADD COLUMN search tsvector GENERATED ALWAYS AS (
    to_tsvector('simple', regexp_replace(
        track || ' ' || brand || ' ' || vehicle || ' ' || driver_name || ' ' || condition,
        '[[:punct:]]+', ' ', 'g'))
) STORED;
CREATE INDEX master_library_search_idx ON master_library USING gin (search);

-- Newest first, and date ranges: an index scan stops after one page.
CREATE INDEX master_library_newest_idx ON master_library (date DESC, id DESC);

-- The exact, case-insensitive filters. The car's serves brand + vehicle searches and
-- a car's community values. Each single-column filter's index carries the value as
-- typed too, so the filter lists (library_facets) skip through it, one index descent
-- per distinct value, without reading the table.
CREATE INDEX master_library_car_idx ON master_library (lower(brand), lower(vehicle));
CREATE INDEX master_library_brand_idx ON master_library (lower(brand), brand);
CREATE INDEX master_library_vehicle_idx ON master_library (lower(vehicle), vehicle);
CREATE INDEX master_library_track_idx ON master_library (lower(track), track);
CREATE INDEX master_library_condition_idx ON master_library (lower(condition), condition);
