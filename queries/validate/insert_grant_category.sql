INSERT INTO grant_categories (run_id, district, year, through_quarter, category, eligible)
VALUES ($1, $2, $3, $4, $5, CAST($6 AS DECIMAL(18,2)));
