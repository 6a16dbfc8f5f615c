-- The findings of validation run $1 for budget year $2, per rule and
-- severity: how many, and in how many districts; errors first, then the
-- most frequent.
SELECT rule, severity, count(*) AS n, count(DISTINCT district) AS districts
FROM findings
WHERE run_id = $1 AND (year = $2 OR year IS NULL)
GROUP BY rule, severity
ORDER BY CASE severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, n DESC, rule;
