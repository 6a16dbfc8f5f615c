-- Receipt keys and shared claims: DUPLICATE_RECEIPT's work, done once per
-- stored submission instead of over every receipt on every run.
--
-- receipt_key: the receipt number folded (white space at either end and
-- case ignored) and hashed with its submission's district and year
-- (receiptno.Key), written with the receipt; NULL when the number is
-- missing, that is nothing but white space. RECEIPT_MISSING tests it.
--
-- shared_claims: every positive receipt line of an accepted submission
-- whose key another positive line of an accepted submission of the same
-- district and year has too (in the same file or another, replaced ones
-- included), with what DUPLICATE_RECEIPT reports of it. Storing a
-- submission adds its lines and its partners' (store.shareClaims), reading
-- only the partners' rows: a key is 32 bits, so a few of these lines carry
-- different numbers, which the rule tells apart by comparing the numbers.
-- No index: the rule reads it whole.
--
-- Receipts stored before get their keys and shared claims in the same
-- transaction, from Go (store.fillReceiptKeys), since the fold is Go's.
ALTER TABLE receipts ADD COLUMN receipt_key UINTEGER;

CREATE TABLE shared_claims (
    submission_id   BIGINT NOT NULL,
    sheet           VARCHAR NOT NULL,
    row_no          INTEGER NOT NULL,
    receipt_no      VARCHAR NOT NULL,
    receipt_no_cell VARCHAR,
    amount          DECIMAL(18,2) NOT NULL
);
