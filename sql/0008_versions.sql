-- 0008_versions: every record a racer edits in a form carries a version, so a save
-- made from an older page is caught instead of silently undoing the save before it
-- (apex/versions.py). Rows that existed before start at version 1.
ALTER TABLE racer_profiles ADD COLUMN version integer NOT NULL DEFAULT 1 CHECK (version >= 1);
ALTER TABLE vehicles ADD COLUMN version integer NOT NULL DEFAULT 1 CHECK (version >= 1);
ALTER TABLE car_configs ADD COLUMN version integer NOT NULL DEFAULT 1 CHECK (version >= 1);
ALTER TABLE master_library ADD COLUMN version integer NOT NULL DEFAULT 1 CHECK (version >= 1);
