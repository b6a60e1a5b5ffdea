-- 0011_lap_flags: the racer's own flag on a lap (apex.lap_stats.MANUAL_FLAGS): '' = as
-- the numbers say (short and incident laps are derived from the times, never stored),
-- 'out' = left out by hand (a pit stop, a cut, counted wrong), 'in' = counted although
-- the numbers flag it. Old laps read ''.
ALTER TABLE laps ADD COLUMN flag text NOT NULL DEFAULT ''
    CONSTRAINT laps_flag_check CHECK (flag IN ('', 'out', 'in'));
