-- Figures computed once (issue 17): each run's §5 figures and each applied change's
-- outcome, derived from the laps and changes by apex/figures.py and rewritten in the
-- same transaction as every write that changes them. The pages read these instead of
-- every lap of the season. The app fills them for the rows already stored right after
-- this file runs (apex/migrations.py: BACKFILLS), in the same transaction.
CREATE TABLE run_figures (
    run_id uuid PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
    event_id uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    position integer NOT NULL,
    laps integer NOT NULL,
    clean integer NOT NULL,
    flags text NOT NULL DEFAULT '',
    best double precision,
    mean double precision,
    median double precision,
    sd double precision,
    cov_pct double precision,
    consistency double precision,
    top5 double precision,
    top10 double precision,
    best3 double precision,
    fade double precision,
    fading boolean NOT NULL DEFAULT false
);
CREATE INDEX run_figures_event ON run_figures (event_id);

CREATE TABLE change_outcomes (
    change_id uuid PRIMARY KEY REFERENCES setup_changes (id) ON DELETE CASCADE,
    event_id uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    parameter text NOT NULL,
    outcome text NOT NULL DEFAULT '',
    effect_pct double precision,
    band_pct double precision,
    reverted boolean NOT NULL DEFAULT false,
    bundled boolean NOT NULL DEFAULT false,
    counted boolean NOT NULL DEFAULT false,
    direction integer NOT NULL DEFAULT 0,
    position integer NOT NULL DEFAULT 0
);
CREATE INDEX change_outcomes_event ON change_outcomes (event_id);
-- "What worked here": the counted moves of a racer's events, grouped by parameter.
CREATE INDEX change_outcomes_counted ON change_outcomes (event_id) WHERE counted;
