-- The validation benchmark's peer: a bare GROUP BY over the receipts
-- table, the rows validation reads, summed per submission and category.
SELECT submission_id, category, sum(amount), count(*)
FROM receipts
GROUP BY ALL;
