-- Closing an event: the racer's rating audit (TUNING.md §5). A rating of 1-2 names a
-- symptom, 4-5 a gain; the rating sets the verdict of the changes that have none.
CREATE TABLE audits (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    event_id    uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    change_id   uuid REFERENCES setup_changes (id) ON DELETE SET NULL,
    rating      integer NOT NULL CHECK (rating BETWEEN 1 AND 5),
    symptom     text NOT NULL DEFAULT '',
    gain        text NOT NULL DEFAULT '',
    observation text NOT NULL DEFAULT '',
    best_lap    numeric(7,3) CHECK (best_lap > 0),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audits_event_idx ON audits (event_id, created_at);
