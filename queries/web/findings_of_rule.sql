-- The findings of one rule ($3) in validation run $1 for budget year $2,
-- in the run's order, at most $4.
SELECT severity, coalesce(district, ''), coalesce(quarter, 0), coalesce(submission_id, 0), coalesce(file, ''),
       coalesce(sheet, ''), coalesce(cell, ''), message_de, message_en
FROM findings
WHERE run_id = $1 AND (year = $2 OR year IS NULL) AND rule = $3
ORDER BY seq
LIMIT $4;
