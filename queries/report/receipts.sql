-- The receipts of one district ($4) in the current submissions, quarters $2..$3: grouped by cost
-- category in plan order, in payment date order, with provenance and
-- whether the line is eligible.
--
-- A text longer than 200 characters (payee, purpose, receipt number,
-- coordinator, category as written) comes as the number of its row in
-- receipt_texts.sql (same arguments), and '' in its place: each long text
-- travels once. A workbook may name one shared string of 32,767 characters
-- in every row of a small file; sorted and copied with each row, 40,000
-- such rows ran DuckDB out of its memory and stopped the reports. For the
-- same reason whether a line is eligible is joined as a set of keys read
-- from the view eligible_receipts, the one definition of eligible (a
-- correlated test here, decorrelated, held every row's texts).
WITH r AS NOT MATERIALIZED (
    SELECT * FROM current_receipts WHERE year = $1 AND quarter BETWEEN $2 AND $3 AND district = $4
), eligible AS (
    SELECT DISTINCT submission_id, sheet, row_no FROM eligible_receipts
    WHERE year = $1 AND quarter BETWEEN $2 AND $3 AND district = $4
), long AS (
    SELECT t, row_number() OVER (ORDER BY t) AS id FROM (
        SELECT payee AS t FROM r WHERE strlen(payee) > 200
        UNION SELECT purpose FROM r WHERE strlen(purpose) > 200
        UNION SELECT receipt_no FROM r WHERE strlen(receipt_no) > 200
        UNION SELECT coordinator_id FROM r WHERE strlen(coordinator_id) > 200
        UNION SELECT category_raw FROM r WHERE strlen(category_raw) > 200)
)
SELECT r.district, r.quarter, coalesce(r.category, ''),
       CASE WHEN strlen(r.category_raw) > 200 THEN '' ELSE coalesce(r.category_raw, '') END, l5.id,
       r.invoice_date, r.payment_date,
       CASE WHEN strlen(r.payee) > 200 THEN '' ELSE coalesce(r.payee, '') END, l1.id,
       CASE WHEN strlen(r.purpose) > 200 THEN '' ELSE coalesce(r.purpose, '') END, l2.id,
       r.amount::VARCHAR,
       CASE WHEN strlen(r.receipt_no) > 200 THEN '' ELSE coalesce(r.receipt_no, '') END, l3.id,
       CASE WHEN strlen(r.coordinator_id) > 200 THEN '' ELSE coalesce(r.coordinator_id, '') END, l4.id,
       e.row_no IS NOT NULL AS eligible,
       r.file_name, r.sheet, coalesce(r.amount_cell, ''), r.submission_id
FROM r
LEFT JOIN long l1 ON l1.t = r.payee
LEFT JOIN long l2 ON l2.t = r.purpose
LEFT JOIN long l3 ON l3.t = r.receipt_no
LEFT JOIN long l4 ON l4.t = r.coordinator_id
LEFT JOIN long l5 ON l5.t = r.category_raw
LEFT JOIN eligible e ON e.submission_id = r.submission_id AND e.sheet = r.sheet AND e.row_no = r.row_no
LEFT JOIN cfg_categories c ON c.year = r.year AND c.code = r.category
ORDER BY r.district, coalesce(c.ord, 99), r.payment_date NULLS LAST, r.quarter, r.row_no;
