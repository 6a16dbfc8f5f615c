-- id: ATTACH
-- severity: warning
-- message_de: Prüffall.
-- message_en: Test case.
ATTACH '/tmp/grantpipe_rule_attack.db' AS other
