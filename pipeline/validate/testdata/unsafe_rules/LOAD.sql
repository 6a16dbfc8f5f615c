-- id: LOAD
-- severity: warning
-- message_de: Prüffall.
-- message_en: Test case.
LOAD httpfs
