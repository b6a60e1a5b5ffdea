-- 0009_sessions_and_login_attempts: revocable logins and a login limit every worker sees.
-- session_generation is part of every session and remember cookie; logout, "log out
-- everywhere" and a password reset add one to it, so every copy of an older cookie stops
-- working. login_attempts counts failed logins per account, address and known device
-- (apex/login_throttle.py) when no Redis is configured; keys are hashes, never logins.
ALTER TABLE users ADD COLUMN session_generation integer NOT NULL DEFAULT 0;

CREATE TABLE login_attempts (
    key            text PRIMARY KEY,
    failures       integer NOT NULL DEFAULT 0,
    last_failed_at timestamptz NOT NULL DEFAULT now()
);
-- Old entries are forgotten by age.
CREATE INDEX login_attempts_last_failed_at ON login_attempts (last_failed_at);
