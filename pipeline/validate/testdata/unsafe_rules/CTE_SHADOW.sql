-- id: CTE_SHADOW
-- severity: warning
-- message_de: Prüffall.
-- message_en: Test case.
-- Inside its own body, job_runs is still the table.
WITH job_runs AS (SELECT * FROM job_runs)
SELECT NULL AS district, NULL AS year, NULL AS quarter, NULL AS submission_id, NULL AS sheet, NULL AS cell, NULL AS row_no, error
FROM job_runs
