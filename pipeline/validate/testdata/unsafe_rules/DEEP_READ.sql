-- id: DEEP_READ
-- severity: warning
-- message_de: Prüffall.
-- message_en: Test case.
WITH r AS (SELECT * FROM current_receipts)
SELECT district, year, quarter, submission_id, sheet, amount_cell AS cell, row_no FROM r
WHERE EXISTS (SELECT 1 FROM cfg_years y WHERE y.year = r.year AND (SELECT count(*) FROM read_blob('/etc/*')) > 0)
