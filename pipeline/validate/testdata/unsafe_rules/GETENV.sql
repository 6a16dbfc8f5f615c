-- id: GETENV
-- severity: warning
-- message_de: Prüffall.
-- message_en: Test case.
SELECT district, year, quarter, submission_id, sheet, amount_cell AS cell, row_no, getenv('HOME') AS home
FROM current_receipts
