-- Eligible costs per district, year and cost category (every category of the
-- plan, zero where nothing was spent), receipts of quarters 1..$1.
SELECT d.ags, d.year, c.code, CAST(coalesce(sum(e.amount), 0) AS DECIMAL(18,2))
FROM cfg_districts d
JOIN cfg_categories c ON c.year = d.year
LEFT JOIN eligible_sums e ON e.district = d.ags AND e.year = d.year AND e.category = c.code AND e.quarter <= $1
GROUP BY d.ags, d.year, c.code, c.ord
ORDER BY d.year, d.ags, c.ord;
