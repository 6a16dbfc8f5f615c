-- The positive receipt lines of submission $1 whose receipt key is one of
-- $2 (the keys of the submission being stored), and whether shared_claims
-- holds them already. The equality on submission_id lets DuckDB read only
-- that submission's row groups.
SELECT r.sheet, r.row_no, r.receipt_key, r.receipt_no, r.receipt_no_cell, r.amount,
       EXISTS (SELECT 1 FROM shared_claims c
               WHERE c.submission_id = r.submission_id AND c.sheet = r.sheet AND c.row_no = r.row_no) AS known
FROM receipts r
WHERE r.submission_id = $1 AND r.amount > 0 AND r.receipt_key IN (SELECT unnest($2::UINTEGER[]))
ORDER BY r.sheet, r.row_no;
