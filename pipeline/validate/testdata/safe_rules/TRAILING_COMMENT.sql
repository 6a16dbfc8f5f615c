-- id: TRAILING_COMMENT
-- severity: info
-- message_de: Beleg.
-- message_en: Receipt.
SELECT district, year, quarter, submission_id, sheet, amount_cell AS cell, row_no
FROM current_receipts
WHERE category = 'REISE'; -- the end; no newline after it