-- id: SET
-- severity: warning
-- message_de: Prüffall.
-- message_en: Test case.
SET threads = 1
