-- shared_claims from all stored receipts at once (see
-- schema/012_receipt_keys.sql): for the migration and for receipts written
-- straight into the table. Storing a submission keeps the same rows up to
-- date one submission at a time (ingest/claims_sharing_keys.sql).
DELETE FROM shared_claims;
INSERT INTO shared_claims
SELECT r.submission_id, r.sheet, r.row_no, r.receipt_no, r.receipt_no_cell, r.amount
FROM receipts r JOIN submissions s ON s.id = r.submission_id
WHERE s.outcome = 'accepted' AND r.amount > 0 AND r.receipt_key IS NOT NULL
QUALIFY count(*) OVER (PARTITION BY s.district, s.year, r.receipt_key) > 1;
