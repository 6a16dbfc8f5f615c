INSERT INTO cfg_plan (year, ags, category, amount) VALUES ($1, $2, $3, CAST($4 AS DECIMAL(18,2)));
