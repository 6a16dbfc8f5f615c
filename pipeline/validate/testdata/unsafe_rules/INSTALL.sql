-- id: INSTALL
-- severity: warning
-- message_de: Prüffall.
-- message_en: Test case.
INSTALL httpfs
