INSERT INTO grant_categories (run_id, district, year, category, eligible) VALUES ($1, $2, $3, $4, CAST($5 AS DECIMAL(18,2)));
