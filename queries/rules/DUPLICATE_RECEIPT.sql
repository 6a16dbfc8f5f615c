-- id: DUPLICATE_RECEIPT
-- severity: error
-- phase: line
-- message_de: Die Belegnummer „{receipt_no}“ ({amount}) wurde bereits abgerechnet: {first_file}, Blatt {first_sheet}, Zelle {first_cell}.
-- message_en: Receipt number “{receipt_no}” ({amount}) was already claimed: {first_file}, sheet {first_sheet}, cell {first_cell}.
-- Within a district and year, over the submissions that count (replaced
-- versions excluded). The first claim stands; each later one is the finding.
-- Corrections (negative amounts) reuse the number on purpose and are not
-- counted. Numbers are found twice by a hash aggregate first, so only their
-- few claims are ordered.
WITH claims AS (
    SELECT r.district, r.year, r.quarter, r.submission_id, r.sheet, r.row_no, r.receipt_no, r.receipt_no_cell, r.amount,
           r.file_name, r.received_at, lower(trim(r.receipt_no)) AS key
    FROM current_receipts r
    WHERE r.receipt_no IS NOT NULL AND trim(r.receipt_no) <> '' AND r.amount > 0
),
twice AS (
    SELECT district, year, key FROM claims GROUP BY district, year, key HAVING count(*) > 1
),
ranked AS (
    SELECT c.*,
           row_number() OVER w AS n,
           first_value(c.file_name) OVER w AS first_file,
           first_value(c.sheet) OVER w AS first_sheet,
           first_value(c.receipt_no_cell) OVER w AS first_cell
    FROM claims c SEMI JOIN twice t ON t.district = c.district AND t.year = c.year AND t.key = c.key
    WINDOW w AS (PARTITION BY c.district, c.year, c.key ORDER BY c.quarter, c.received_at, c.submission_id, c.row_no
                 ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
)
SELECT district, year, quarter, submission_id, sheet, receipt_no_cell AS cell, row_no,
       receipt_no, amount, first_file, first_sheet, first_cell
FROM ranked
WHERE n > 1
