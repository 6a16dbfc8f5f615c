-- id: DROP_TABLE
-- severity: warning
-- message_de: Prüffall.
-- message_en: Test case.
DROP TABLE job_runs
