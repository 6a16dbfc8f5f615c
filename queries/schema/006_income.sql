-- The optional Einnahmen sheet (issue 13): income received for the funded
-- purpose, which lowers the grant. One row per income line, every value with
-- its raw text and cell, like the receipts. Written in the same transaction
-- as the rest of its submission.
CREATE TABLE income (
    submission_id  BIGINT NOT NULL,
    sheet          VARCHAR NOT NULL,
    row_no         INTEGER NOT NULL,
    line_no        BIGINT,                -- BIGINT like receipts.line_no: a district may type any whole number
    line_no_raw    VARCHAR,
    line_no_cell   VARCHAR,
    income_type    VARCHAR,               -- programme income type code, NULL when unknown (rule CATEGORY)
    type_raw       VARCHAR,
    type_cell      VARCHAR,
    received_date  DATE,
    date_raw       VARCHAR,
    date_cell      VARCHAR,
    source         VARCHAR,
    source_cell    VARCHAR,
    purpose        VARCHAR,
    purpose_cell   VARCHAR,
    amount         DECIMAL(18,2),         -- NULL when unreadable (a FORMAT finding says why); negative: a refund
    amount_raw     VARCHAR,
    amount_cell    VARCHAR
);
