-- Receipt keys and shared claims: DUPLICATE_RECEIPT's work, done once for
-- what was stored since the last check instead of over every receipt on
-- every run.
--
-- receipt_key: the receipt number folded (white space at either end and
-- case ignored) and hashed with its submission's district and year
-- (receiptno.Key), written with the receipt. It is NULL when the number
-- is missing, that is nothing but white space: RECEIPT_MISSING tests it.
-- Receipts stored before get their keys in this migration's transaction,
-- from Go (store.fillReceiptKeys), since the fold is Go's.
--
-- shared_claims: at least every positive receipt line of an accepted
-- submission whose key another positive line of an accepted submission of
-- the same district and year has too (in the same file or another, replaced ones
-- included), with what DUPLICATE_RECEIPT reports of it. A key is 32 bits,
-- so a few of these lines carry different numbers (or belong to different
-- districts), which the rule tells apart by comparing the numbers. A check adds the lines of the districts
-- and years that have submissions stored after claims_shared_through.last_id
-- (validate/share_claims.sql), in its own transaction, and moves last_id
-- on. It starts at 0, so the first check after this migration shares every
-- claim. No index: the rule reads the table whole.
ALTER TABLE receipts ADD COLUMN receipt_key UINTEGER;

CREATE TABLE shared_claims (
    submission_id   BIGINT NOT NULL,
    sheet           VARCHAR NOT NULL,
    row_no          INTEGER NOT NULL,
    receipt_no      VARCHAR NOT NULL,
    receipt_no_cell VARCHAR,
    amount          DECIMAL(18,2) NOT NULL
);

CREATE TABLE claims_shared_through (last_id BIGINT NOT NULL);
INSERT INTO claims_shared_through VALUES (0);
