-- id: CREATE_TABLE
-- severity: warning
-- message_de: Prüffall.
-- message_en: Test case.
CREATE TABLE stolen AS SELECT * FROM job_runs
