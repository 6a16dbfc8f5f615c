-- Receipts with a number but no key yet (see schema/012_receipt_key.sql),
-- with what their key is made of.
SELECT r.rowid, coalesce(s.district, ''), coalesce(s.year, 0), r.receipt_no
FROM receipts r JOIN submissions s ON s.id = r.submission_id
WHERE r.receipt_key IS NULL AND r.receipt_no IS NOT NULL;
