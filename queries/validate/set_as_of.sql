INSERT INTO run_context (as_of) VALUES (CAST($1 AS DATE));
