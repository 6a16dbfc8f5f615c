-- id: SETTINGS
-- severity: warning
-- message_de: Prüffall.
-- message_en: Test case.
SELECT NULL AS district, NULL AS year, NULL AS quarter, NULL AS submission_id, NULL AS sheet, NULL AS cell, NULL AS row_no, value
FROM duckdb_settings()
