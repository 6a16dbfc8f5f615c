-- interest_rate is the base rate of 1 January plus the points above it,
-- kept for readers of older runs; the interest computation reads the base
-- rate of each day from cfg_base_rates and interest_points.
INSERT INTO cfg_years (year, state_budget, district_cap, max_coordinators, funding_rate, post_cap_per_fte,
                       line_tolerance, spending_window_days, interest_rate, underspending, final_report_deadline, interest_points)
VALUES ($1, CAST($2 AS DECIMAL(18,2)), CAST($3 AS DECIMAL(18,2)), $4, CAST($5 AS DECIMAL(9,6)), CAST($6 AS DECIMAL(18,2)),
        CAST($7 AS DECIMAL(9,6)), $8, CAST($9 AS DECIMAL(9,6)), CAST($10 AS DECIMAL(9,6)), CAST($11 AS DATE), CAST($12 AS DECIMAL(9,6)));
