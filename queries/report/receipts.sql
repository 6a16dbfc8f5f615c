-- The receipts of one district ($4) in the current submissions, quarters $2..$3: grouped by cost
-- category in plan order, in payment date order, with provenance and
-- whether the line is eligible.
SELECT r.district, r.quarter, coalesce(r.category, ''), coalesce(r.category_raw, ''), r.invoice_date, r.payment_date,
       coalesce(r.payee, ''), coalesce(r.purpose, ''), r.amount::VARCHAR, coalesce(r.receipt_no, ''), coalesce(r.coordinator_id, ''),
       -- eligible as the view eligible_receipts says, on this row alone
       (r.amount IS NOT NULL AND r.category IS NOT NULL AND r.payment_date IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM run_line_errors e WHERE e.submission_id = r.submission_id AND e.row_no = r.row_no)
        AND NOT EXISTS (SELECT 1 FROM submission_findings f WHERE f.submission_id = r.submission_id AND f.row_no = r.row_no
                        AND f.sheet = r.sheet AND f.severity = 'error')) AS eligible,
       r.file_name, r.sheet, coalesce(r.amount_cell, ''), r.submission_id
FROM current_receipts r
LEFT JOIN cfg_categories c ON c.year = r.year AND c.code = r.category
WHERE r.year = $1 AND r.quarter BETWEEN $2 AND $3 AND r.district = $4
ORDER BY r.district, coalesce(c.ord, 99), r.payment_date NULLS LAST, r.quarter, r.row_no;
