-- 0010_undoable_deletes: deleting a note or a lap only marks it (deleted_at) so Undo can
-- put it back; every read skips marked rows and they are purged once the undo is over
-- (apex/race_rules.py UNDO_WINDOW).
ALTER TABLE laps ADD COLUMN deleted_at timestamptz;
ALTER TABLE track_logs ADD COLUMN deleted_at timestamptz;

-- A deleted lap keeps the number it had (Undo puts it back there) while the live laps
-- close the gap: lap numbers are unique among the live laps of a run only. Still
-- deferrable: a delete or an undo renumbers several laps in one transaction.
ALTER TABLE laps DROP CONSTRAINT laps_run_lap_key;
ALTER TABLE laps ADD CONSTRAINT laps_run_lap_key
    EXCLUDE USING btree (run_id WITH =, lap_number WITH =) WHERE (deleted_at IS NULL)
    DEFERRABLE INITIALLY IMMEDIATE;

-- The pages of every note of an event or of a racer, newest first ("timestamp", id).
DROP INDEX IF EXISTS track_logs_event_idx;
CREATE INDEX track_logs_event_idx ON track_logs (event_id, "timestamp" DESC, id DESC)
    WHERE event_id IS NOT NULL AND deleted_at IS NULL;
CREATE INDEX track_logs_deleted_idx ON track_logs (deleted_at) WHERE deleted_at IS NOT NULL;
CREATE INDEX laps_deleted_idx ON laps (deleted_at) WHERE deleted_at IS NOT NULL;
