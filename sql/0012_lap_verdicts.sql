-- 0012_lap_verdicts: a change's verdict is no longer stored. Verdicts are worked out
-- from the laps every time (apex/verdicts.py: trend, noise band, bundles), so a lap
-- edit can never leave a stale one behind. The only verdicts this column ever held
-- were the closing audit's rating copied onto every change, overwriting the laps'
-- (the bug this removes); the audit itself stays in audits, one row per close.
ALTER TABLE setup_changes DROP COLUMN verdict;
