-- id: LITERAL_SEMICOLON
-- severity: info
-- message_de: {note}
-- message_en: {note}
-- Strings and quoted names may say anything, semicolons and SQL included.
SELECT district, year, quarter, submission_id, sheet, amount_cell AS cell, row_no,
       'Hinweis; DROP TABLE job_runs; read_text(''/etc/passwd'')' AS note, 1 AS "a; b"
FROM current_receipts
WHERE category = 'REISE' AND receipt_no NOT LIKE '%;%'
