SELECT district, category, eligible::VARCHAR
FROM grant_categories WHERE run_id = $1 AND year = $2 AND through_quarter = $3;
