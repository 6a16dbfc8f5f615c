-- id: HIDDEN_STATEMENT
-- severity: warning
-- message_de: Prüffall.
-- message_en: Test case.
-- A ' in a block comment made the old check think the ; was quoted.
SELECT district, year, quarter, submission_id, sheet, amount_cell AS cell, row_no
FROM current_receipts /* the analyst's note */;
DROP TABLE job_runs;
SELECT district, year, quarter, submission_id, sheet, amount_cell AS cell, row_no FROM current_receipts /* ' */
