INSERT INTO cfg_districts (year, ags, name, kind, population, approved, plan_total, file_number)
VALUES ($1, $2, $3, $4, $5, CAST($6 AS DECIMAL(18,2)), CAST($7 AS DECIMAL(18,2)), $8);
