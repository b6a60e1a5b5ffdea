-- 0013_advisor_pairs_temperature: TUNING §3.3, §3.8, §3.10.
-- An advisor ask's proposals share ask_id: once one is accepted the others still pending
-- become 'superseded' (shown, no longer waiting). The two ends of a front/rear pair share
-- pair_id: accepted, denied and undone together. Accepting a proposal that carries
-- temperature_ref sets the event setup's temperature reference: the track temperature
-- (°C) its shock oils are set for, the event's when the setup was loaded (old setups:
-- NULL, read as the event's temperature).
ALTER TABLE setup_changes
    ADD COLUMN ask_id text NOT NULL DEFAULT '',
    ADD COLUMN pair_id text NOT NULL DEFAULT '',
    ADD COLUMN temperature_ref integer,
    DROP CONSTRAINT setup_changes_status_check,
    ADD CONSTRAINT setup_changes_status_check
        CHECK (status IN ('pending', 'accepted', 'denied', 'reverted', 'superseded'));
ALTER TABLE event_setups ADD COLUMN temperature_ref integer;
