-- id: QUERY_FUNCTION
-- severity: warning
-- message_de: Prüffall.
-- message_en: Test case.
SELECT * FROM query('DROP TABLE x')
