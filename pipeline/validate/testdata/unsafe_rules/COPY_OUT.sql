-- id: COPY_OUT
-- severity: warning
-- message_de: Prüffall.
-- message_en: Test case.
COPY (SELECT 1) TO '/tmp/grantpipe_rule_attack.csv'
