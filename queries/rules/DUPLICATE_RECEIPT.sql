-- id: DUPLICATE_RECEIPT
-- severity: error
-- phase: line
-- message_de: Die Belegnummer „{receipt_no}“ ({amount}) wurde bereits abgerechnet: {first_file}, Blatt {first_sheet}, Zelle {first_cell}.
-- message_en: Receipt number “{receipt_no}” ({amount}) was already claimed: {first_file}, sheet {first_sheet}, cell {first_cell}.
-- Within a district and year, over the submissions that count (replaced
-- versions excluded). The first claim stands; each later one is the finding.
-- Corrections (negative amounts) reuse the number on purpose and are not
-- counted.
WITH claims AS (
    SELECT r.*, lower(trim(r.receipt_no)) AS key,
           row_number() OVER (PARTITION BY r.district, r.year, lower(trim(r.receipt_no))
                              ORDER BY r.quarter, r.received_at, r.submission_id, r.row_no) AS n
    FROM current_receipts r
    WHERE r.receipt_no IS NOT NULL AND trim(r.receipt_no) <> '' AND r.amount > 0
)
SELECT c.district, c.year, c.quarter, c.submission_id, c.sheet, c.receipt_no_cell AS cell, c.row_no,
       c.receipt_no, c.amount, f.file_name AS first_file, f.sheet AS first_sheet, f.receipt_no_cell AS first_cell
FROM claims c JOIN claims f ON f.district = c.district AND f.year = c.year AND f.key = c.key AND f.n = 1
WHERE c.n > 1
