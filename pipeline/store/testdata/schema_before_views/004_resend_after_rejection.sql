-- A byte-identical file is a duplicate only of an accepted submission: a file
-- that was rejected (say, for the folder it arrived in) and is sent again
-- unchanged is judged again on its own merits and where it arrived, and
-- stored as a submission of its own. So sha256 is no longer unique.
--
-- Also kept: the file's own modification time as it arrived. received_at is
-- that time, but never later than the moment grantpipe picked the file up:
-- the sender controls the modification time, not the clock.
--
-- DuckDB cannot drop a constraint in place, so the table is rebuilt (inside
-- the migration's transaction; views bind by name and need no change).
CREATE TABLE submissions_003 AS SELECT * FROM submissions;
DROP TABLE submissions;
CREATE TABLE submissions (
    id              BIGINT PRIMARY KEY,
    sha256          VARCHAR NOT NULL,
    file_name       VARCHAR NOT NULL,      -- the name it arrived under (invalid UTF-8 and control characters escaped as \xNN)
    source_path     VARCHAR NOT NULL,      -- where it was found (relative to the data directory when inside it), escaped the same way
    inbox_district  VARCHAR,               -- the inbox folder it arrived in (the sender), NULL otherwise
    outcome         VARCHAR NOT NULL CHECK (outcome IN ('accepted', 'rejected')),
    stored_path     VARCHAR NOT NULL,      -- archive/... or rejected/..., relative to the data directory
    received_at     TIMESTAMP NOT NULL,    -- when it reached the inbox (UTC): its modification time, at most the pick-up time
    received_local  TIMESTAMP NOT NULL,    -- the same in Europe/Berlin wall-clock time, for deadlines
    ingested_at     TIMESTAMP NOT NULL,    -- when grantpipe read it (UTC)
    reader_version  VARCHAR NOT NULL,
    size_bytes      BIGINT NOT NULL,
    date1904        BOOLEAN,
    district        VARCHAR,               -- AGS as read (NULL when unreadable)
    year            INTEGER,
    quarter         INTEGER,
    district_name   VARCHAR,               -- as written on the form
    file_number     VARCHAR,
    contact         VARCHAR,
    email           VARCHAR,
    superseded_by   BIGINT,                -- a later submission for the same district and quarter
    modified_at     TIMESTAMP              -- the file's modification time as it arrived (UTC), as the sender set it
);
INSERT INTO submissions
SELECT *, received_at FROM submissions_003;
DROP TABLE submissions_003;
CREATE INDEX submissions_sha256 ON submissions (sha256);
