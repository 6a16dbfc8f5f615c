-- The latest validation run: its as-of day and rule set.
SELECT as_of, rule_set FROM validation_runs ORDER BY id DESC LIMIT 1;
