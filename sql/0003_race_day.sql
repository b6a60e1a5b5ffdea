-- The race day: events, the setup on the car today, every change to it, runs and laps.
-- Parameter columns come from apex/catalogue.py (the SETUP_COLUMNS placeholder).

CREATE TABLE events (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    profile_id        uuid NOT NULL REFERENCES racer_profiles (id) ON DELETE CASCADE,
    vehicle_id        uuid NOT NULL REFERENCES vehicles (id) ON DELETE CASCADE,
    name              text NOT NULL,
    type              text NOT NULL CHECK (type IN ('Practice', 'Qualifying', 'Main', 'Club Race')),
    start_date        date NOT NULL,
    end_date          date CHECK (end_date >= start_date),
    track             text NOT NULL DEFAULT '',
    track_size        text NOT NULL DEFAULT '',
    traction          text NOT NULL DEFAULT '',
    surface           text NOT NULL DEFAULT '',
    condition         text NOT NULL DEFAULT '',
    temperature       integer CHECK (temperature BETWEEN -30 AND 70),
    practice_rounds   integer CHECK (practice_rounds BETWEEN 0 AND 50),
    qualifying_rounds integer CHECK (qualifying_rounds BETWEEN 0 AND 50),
    status            text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'closed')),
    baseline          text NOT NULL DEFAULT '',
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);
-- One active event per car: a second start is refused (DuplicateError).
CREATE UNIQUE INDEX events_one_active_per_car ON events (vehicle_id) WHERE status = 'active';
CREATE INDEX events_profile_idx ON events (profile_id, start_date DESC);

CREATE TABLE event_setups (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    event_id   uuid NOT NULL UNIQUE REFERENCES events (id) ON DELETE CASCADE,
    -- Grows by one with every saved edit: a save from a stale page is caught.
    version    integer NOT NULL DEFAULT 1 CHECK (version > 0),
    /*SETUP_COLUMNS*/,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE runs (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    event_id      uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    name          text NOT NULL,
    started_at    timestamptz NOT NULL DEFAULT now(),
    confidence    integer CHECK (confidence BETWEEN 1 AND 5),
    setup_version integer NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX runs_event_idx ON runs (event_id, started_at);

CREATE TABLE laps (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    run_id     uuid NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    lap_number integer NOT NULL CHECK (lap_number > 0),
    seconds    numeric(7,3) NOT NULL CHECK (seconds > 0),
    created_at timestamptz NOT NULL DEFAULT now(),
    -- Deferrable: deleting a lap renumbers the ones after it in one statement.
    CONSTRAINT laps_run_lap_key UNIQUE (run_id, lap_number) DEFERRABLE INITIALLY IMMEDIATE
);

CREATE TABLE setup_changes (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    event_id   uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    parameter  text NOT NULL,
    old_value  text NOT NULL DEFAULT '',
    new_value  text NOT NULL DEFAULT '',
    source     text NOT NULL CHECK (source IN ('manual', 'advisor', 'library', 'package')),
    reason     text NOT NULL DEFAULT '',
    status     text NOT NULL DEFAULT 'accepted'
        CHECK (status IN ('pending', 'accepted', 'denied', 'reverted')),
    version    integer,
    run_before uuid REFERENCES runs (id) ON DELETE SET NULL,
    run_after  uuid REFERENCES runs (id) ON DELETE SET NULL,
    verdict    text NOT NULL DEFAULT '' CHECK (verdict IN ('', 'success', 'failure', 'neutral')),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX setup_changes_event_idx ON setup_changes (event_id, created_at);

-- Notes and symptoms written at an event, and the run they are about.
ALTER TABLE track_logs
    ADD COLUMN event_id uuid REFERENCES events (id) ON DELETE SET NULL,
    ADD COLUMN run_id uuid REFERENCES runs (id) ON DELETE SET NULL;
CREATE INDEX track_logs_event_idx ON track_logs (event_id, "timestamp") WHERE event_id IS NOT NULL;
