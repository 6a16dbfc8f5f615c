-- The findings of run $1 counted per rule and severity: the summary a check
-- skipped because nothing changed answers with (its findings stay in the
-- table for the reports and pages that list them).
SELECT rule, severity, count(*)
FROM findings
WHERE run_id = $1
GROUP BY rule, severity
ORDER BY rule, severity;
