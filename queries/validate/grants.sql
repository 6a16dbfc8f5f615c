-- The grant computation per district and year (FUNDING_RULES.md, "What the
-- grant computation yields"), from the eligible receipts and the counted
-- income of the submissions that count:
--   net expenditure = eligible expenditure − income;
--   grant = min(funding rate × net expenditure rounded to the cent,
--               approved grant, district cap), never below 0;
--   balance = paid out − grant (positive: more paid out than the grant —
--   a repayment claim once the year is settled; negative: still to pay);
--   interest from late spending (the sum of run_interest_periods).
-- $1: up to which quarter (receipts and income of quarters 1..$1); $2:
-- payouts up to this day. Interest is that of those payouts, as of the
-- as-of day. settled: see views/10_year_status.sql.
WITH elig AS (
    SELECT district, year, sum(amount) AS eligible FROM eligible_sums WHERE quarter <= $1 GROUP BY district, year
),
inc AS (
    SELECT district, year, sum(amount) AS income FROM income_sums WHERE quarter <= $1 GROUP BY district, year
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
    SELECT d.ags AS district, d.year, d.approved, coalesce(e.eligible, 0) AS eligible, coalesce(i.income, 0) AS income,
           d.planned_income,
           greatest(0, least(round(y.funding_rate * (coalesce(e.eligible, 0) - coalesce(i.income, 0)), 2), d.approved, y.district_cap)) AS "grant",
           coalesce(p.paid, 0) AS paid, coalesce(r.interest, 0) AS interest, coalesce(s.settled, false) AS settled
    FROM cfg_districts d
    JOIN cfg_years y ON y.year = d.year
    LEFT JOIN elig e ON e.district = d.ags AND e.year = d.year
    LEFT JOIN inc i ON i.district = d.ags AND i.year = d.year
    LEFT JOIN paid p ON p.ags = d.ags AND p.year = d.year
    LEFT JOIN interest r ON r.ags = d.ags AND r.year = d.year
    LEFT JOIN run_year_status s ON s.district = d.ags AND s.year = d.year
)
SELECT district, year, approved, CAST(eligible AS DECIMAL(18,2)), CAST(income AS DECIMAL(18,2)), CAST(planned_income AS DECIMAL(18,2)),
       CAST("grant" AS DECIMAL(18,2)), CAST(paid AS DECIMAL(18,2)), CAST(paid - "grant" AS DECIMAL(18,2)), CAST(interest AS DECIMAL(18,2)), settled
FROM fig
ORDER BY year, district;
