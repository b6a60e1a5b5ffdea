-- 0014_fresh_tyres: TUNING §2 "a fresh set" of the same tread and compound, fitted at
-- this time, restarts the tyre wear count (runs started after it). NULL: none fitted
-- since the event started.
ALTER TABLE event_setups ADD COLUMN tyres_fitted_at timestamptz;
