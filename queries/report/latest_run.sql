-- The latest validation run: the reports show its findings and figures.
SELECT id, as_of, rule_set FROM validation_runs ORDER BY id DESC LIMIT 1;
