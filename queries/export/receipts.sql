-- Every receipt of an accepted submission with its provenance and whether
-- the latest run found it eligible.
COPY (
    SELECT s.year, s.district, s.quarter, r.submission_id, s.superseded_by IS NULL AS current, s.file_name, r.sheet, r.row_no,
           r.line_no, r.category, r.category_raw, r.invoice_date, r.payment_date, r.payee, r.purpose, r.amount, r.amount_raw,
           r.amount_cell, r.receipt_no, r.coordinator_id,
           EXISTS (SELECT 1 FROM eligible_receipts e WHERE e.submission_id = r.submission_id AND e.row_no = r.row_no) AS eligible
    FROM receipts r JOIN submissions s ON s.id = r.submission_id
    WHERE s.outcome = 'accepted'
) TO {dir} (FORMAT PARQUET, PARTITION_BY (year, district), OVERWRITE_OR_IGNORE);
