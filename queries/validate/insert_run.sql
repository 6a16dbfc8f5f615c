INSERT INTO validation_runs (id, started_at, as_of, rule_set, rules, year, quarter)
VALUES ($1, $2, CAST($3 AS DATE), $4, $5, $6, $7);
