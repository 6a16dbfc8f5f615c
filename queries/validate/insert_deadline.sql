INSERT INTO cfg_deadlines (year, quarter, deadline) VALUES ($1, $2, CAST($3 AS DATE));
