INSERT INTO grant_figures (run_id, district, year, through_quarter, approved, eligible, fundable, paid, balance, interest_at_risk)
VALUES ($1, $2, $3, $4, CAST($5 AS DECIMAL(18,2)), CAST($6 AS DECIMAL(18,2)), CAST($7 AS DECIMAL(18,2)),
        CAST($8 AS DECIMAL(18,2)), CAST($9 AS DECIMAL(18,2)), CAST($10 AS DECIMAL(18,2)));
