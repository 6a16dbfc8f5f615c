-- The validation benchmark's second peer: the same GROUP BY over the view
-- every receipt rule reads (the receipts of current submissions, with
-- their district), summed per district and category.
SELECT district, category, sum(amount), count(*)
FROM current_receipts
GROUP BY ALL;
