-- DuckDB's parse tree of a rule's query, as JSON: what rules.Rule.Vet checks
-- before the query is bound or run. Only the parser runs: nothing is read.
SELECT CAST(json_serialize_sql(CAST($1 AS VARCHAR)) AS VARCHAR);
