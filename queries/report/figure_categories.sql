-- The eligible costs of a run per district and cost category, up to a
-- quarter (0: the year as of the run's day).
SELECT district, category, eligible
FROM grant_categories WHERE run_id = $1 AND year = $2 AND through_quarter = $3;
