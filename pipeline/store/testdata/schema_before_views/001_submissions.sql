-- The submissions districts send and what was read from them.
-- Every stored value keeps its provenance: the submission it came from, the
-- sheet, and the row or cell (A1 notation). Money is DECIMAL(18,2).

CREATE SEQUENCE submission_id START 1;

-- One row per file ingested (accepted or rejected). A byte-identical file that
-- arrives again is recognised by sha256 and not stored twice.
CREATE TABLE submissions (
    id              BIGINT PRIMARY KEY,
    sha256          VARCHAR NOT NULL UNIQUE,
    file_name       VARCHAR NOT NULL,      -- the name it arrived under
    source_path     VARCHAR NOT NULL,      -- where it was found (relative to the data directory when inside it)
    inbox_district  VARCHAR,               -- AGS of the inbox folder it arrived in, NULL otherwise
    outcome         VARCHAR NOT NULL CHECK (outcome IN ('accepted', 'rejected')),
    stored_path     VARCHAR NOT NULL,      -- archive/... or rejected/..., relative to the data directory
    received_at     TIMESTAMP NOT NULL,    -- the file's modification time (UTC): when it reached the inbox
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
    superseded_by   BIGINT                 -- a later submission for the same district and quarter
);

-- The label/value pairs of the header sheet, as written.
CREATE TABLE submission_header (
    submission_id BIGINT NOT NULL,
    field         VARCHAR NOT NULL,
    sheet         VARCHAR NOT NULL,
    cell          VARCHAR NOT NULL,
    raw           VARCHAR
);

CREATE TABLE coordinators (
    submission_id       BIGINT NOT NULL,
    sheet               VARCHAR NOT NULL,
    row_no              INTEGER NOT NULL,
    coordinator_id      VARCHAR,
    coordinator_id_cell VARCHAR,
    post                VARCHAR,
    post_cell           VARCHAR,
    fte                 DECIMAL(9,4),
    fte_raw             VARCHAR,
    fte_cell            VARCHAR,
    pay_grade           VARCHAR,               -- normalised ("E 11"), NULL when unreadable
    pay_grade_raw       VARCHAR,
    pay_grade_cell      VARCHAR,
    start_date          DATE,
    start_raw           VARCHAR,
    start_cell          VARCHAR,
    end_date            DATE,
    end_raw             VARCHAR,
    end_cell            VARCHAR
);

-- One row per paid receipt (Belegliste).
CREATE TABLE receipts (
    submission_id       BIGINT NOT NULL,
    sheet               VARCHAR NOT NULL,
    row_no              INTEGER NOT NULL,
    line_no             BIGINT,
    line_no_raw         VARCHAR,
    line_no_cell        VARCHAR,
    category            VARCHAR,               -- programme category code, NULL when unknown
    category_raw        VARCHAR,
    category_cell       VARCHAR,
    invoice_date        DATE,
    invoice_date_raw    VARCHAR,
    invoice_date_cell   VARCHAR,
    payment_date        DATE,
    payment_date_raw    VARCHAR,
    payment_date_cell   VARCHAR,
    payee               VARCHAR,
    payee_cell          VARCHAR,
    purpose             VARCHAR,
    purpose_cell        VARCHAR,
    amount              DECIMAL(18,2),         -- NULL when unreadable (a FORMAT finding says why)
    amount_raw          VARCHAR,
    amount_cell         VARCHAR,
    receipt_no          VARCHAR,
    receipt_no_cell     VARCHAR,
    coordinator_id      VARCHAR,
    coordinator_id_cell VARCHAR
);

CREATE TABLE activities (
    submission_id     BIGINT NOT NULL,
    sheet             VARCHAR NOT NULL,
    row_no            INTEGER NOT NULL,
    activity_date     DATE,
    date_raw          VARCHAR,
    date_cell         VARCHAR,
    activity_type     VARCHAR,                 -- programme activity type code, NULL when unknown
    type_raw          VARCHAR,
    type_cell         VARCHAR,
    title             VARCHAR,
    title_cell        VARCHAR,
    participants      BIGINT,
    participants_raw  VARCHAR,
    participants_cell VARCHAR,
    partners          VARCHAR,
    partners_cell     VARCHAR
);

CREATE TABLE narrative (
    submission_id BIGINT NOT NULL,
    sheet         VARCHAR NOT NULL,
    row_no        INTEGER NOT NULL,
    cell          VARCHAR NOT NULL,
    paragraph     VARCHAR NOT NULL
);

-- What the reader found while reading a submission (FORMAT, and the
-- submission-level DISTRICT_UNKNOWN and PERIOD that reject a file).
CREATE TABLE submission_findings (
    submission_id BIGINT NOT NULL,
    seq           INTEGER NOT NULL,            -- order of the findings within the submission
    rule          VARCHAR NOT NULL,
    severity      VARCHAR NOT NULL CHECK (severity IN ('error', 'warning', 'info')),
    sheet         VARCHAR,
    cell          VARCHAR,
    row_no        INTEGER,
    message_key   VARCHAR NOT NULL,
    message_de    VARCHAR NOT NULL,
    message_en    VARCHAR NOT NULL
);
