-- id: NEXTVAL
-- severity: warning
-- message_de: Prüffall.
-- message_en: Test case.
SELECT district, year, quarter, submission_id, sheet, amount_cell AS cell, row_no, nextval('validation_run_id') AS n
FROM current_receipts
