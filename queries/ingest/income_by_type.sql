-- Income per income type of one submission, for the ingest report.
SELECT income_type, sum(amount)
FROM income
WHERE submission_id = $1 AND income_type IS NOT NULL AND amount IS NOT NULL
GROUP BY income_type
ORDER BY income_type;
