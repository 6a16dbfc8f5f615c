SELECT category, sum(amount)
FROM receipts
WHERE submission_id = $1 AND category IS NOT NULL AND amount IS NOT NULL
GROUP BY category
ORDER BY category;
