-- id: PRAGMA
-- severity: warning
-- message_de: Prüffall.
-- message_en: Test case.
PRAGMA disable_checkpoint_on_shutdown
