-- The grant computation per district and year, from the eligible receipts of
-- the submissions that count: fundable = min(rate × eligible, approved grant,
-- district cap); balance = paid out − fundable (positive: to be repaid,
-- negative: still to be paid); interest at risk from late spending.
-- $1: up to which quarter (receipts of quarters 1..$1); $2: payouts up to
-- this day. Interest at risk is that of those payouts, as of the as-of day.
WITH elig AS (
    SELECT district, year, sum(amount) AS eligible FROM eligible_sums WHERE quarter <= $1 GROUP BY district, year
),
paid AS (
    SELECT p.ags, p.year, sum(p.amount) AS paid
    FROM all_payouts p WHERE p.payout_date <= CAST($2 AS DATE)
    GROUP BY p.ags, p.year
),
interest AS (
    SELECT ags, year, sum(interest) AS interest FROM run_payout_coverage
    WHERE is_due AND payout_date <= CAST($2 AS DATE) GROUP BY ags, year
),
fig AS (
    SELECT d.ags AS district, d.year, d.approved, coalesce(e.eligible, 0) AS eligible,
           greatest(0, least(round(y.funding_rate * coalesce(e.eligible, 0), 2), d.approved, y.district_cap)) AS fundable,
           coalesce(p.paid, 0) AS paid, coalesce(i.interest, 0) AS interest
    FROM cfg_districts d
    JOIN cfg_years y ON y.year = d.year
    LEFT JOIN elig e ON e.district = d.ags AND e.year = d.year
    LEFT JOIN paid p ON p.ags = d.ags AND p.year = d.year
    LEFT JOIN interest i ON i.ags = d.ags AND i.year = d.year
)
SELECT district, year, approved, CAST(eligible AS DECIMAL(18,2)), CAST(fundable AS DECIMAL(18,2)),
       CAST(paid AS DECIMAL(18,2)), CAST(paid - fundable AS DECIMAL(18,2)), CAST(interest AS DECIMAL(18,2))
FROM fig
ORDER BY year, district;
