-- 0007_car_archive: removing a car archives it (issue 12 finding 3). An archived car
-- leaves the garage's list and pickers, but its events, runs, laps, changes, audits
-- and notes stay readable; only an explicit delete-for-good removes them. NULL: active.
ALTER TABLE vehicles ADD COLUMN archived_at timestamptz;
