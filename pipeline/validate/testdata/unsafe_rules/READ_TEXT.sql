-- id: READ_TEXT
-- severity: warning
-- message_de: Prüffall.
-- message_en: Test case.
SELECT district, year, quarter, submission_id, sheet, amount_cell AS cell, row_no, (SELECT content FROM read_text('/etc/passwd')) AS passwd
FROM current_receipts
