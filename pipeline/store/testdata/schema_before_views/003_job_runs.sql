-- Every run of every job, scheduled or started by hand, with what it did.
CREATE SEQUENCE job_run_id START 1;
CREATE TABLE job_runs (
    id          BIGINT PRIMARY KEY,
    job         VARCHAR NOT NULL,
    trigger     VARCHAR NOT NULL CHECK (trigger IN ('scheduled', 'manual')),
    started_at  TIMESTAMP NOT NULL,
    ended_at    TIMESTAMP,                 -- NULL while running (or if the process died)
    outcome     VARCHAR NOT NULL CHECK (outcome IN ('running', 'ok', 'failed', 'panicked', 'cancelled')),
    files       INTEGER NOT NULL DEFAULT 0,
    findings    INTEGER NOT NULL DEFAULT 0,
    reports     INTEGER NOT NULL DEFAULT 0,
    error       VARCHAR
);
