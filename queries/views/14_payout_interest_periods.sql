-- The interest on payouts used late, period by period. Payouts are
-- covered in date order (payout_schedule) by the grant's share (funding
-- rate) of eligible payments, cumulated over the year
-- (cumulative_spending): on a day, a payout's uncovered amount is what of
-- it the grant's share of the payments made by then does not cover.
--
-- payout_interest_periods: from the day after a payout was due (spending
-- window after it) to the as-of day, each period in which its uncovered
-- amount and the interest rate (the base rate in force that day plus the
-- year's points above it) stayed the same, with its interest
-- round(open_amount × rate × days / 365, 2) — every figure a person needs
-- to multiply it out. A validation run stores them in
-- run_interest_periods.
CREATE OR REPLACE VIEW payout_interest_periods AS
WITH days AS (
    SELECT p.year, p.ags, p.payout_date, p.reference, p.amount, p.cum_paid, p.funding_rate, p.interest_points,
           CAST(unnest(range(CAST(p.due + 1 AS TIMESTAMP), CAST(p.as_of + 1 AS TIMESTAMP), INTERVAL 1 DAY)) AS DATE) AS day
    FROM payout_schedule p
    WHERE p.due < p.as_of
),
spent AS (
    SELECT d.*, coalesce(s.cum_spent, 0) AS cum_spent
    FROM days d ASOF LEFT JOIN cumulative_spending s ON s.ags = d.ags AND s.year = d.year AND s.payment_date <= d.day
),
priced AS (
    SELECT s.year, s.ags, s.payout_date, s.reference, s.day,
           CAST(greatest(0, least(s.amount, s.cum_paid - round(s.funding_rate * s.cum_spent, 2))) AS DECIMAL(18,2)) AS open_amount,
           CAST(b.rate + s.interest_points AS DECIMAL(9,6)) AS rate
    FROM spent s ASOF LEFT JOIN cfg_base_rates b ON s.day >= b.valid_from
),
islands AS (
    SELECT *, day - CAST(row_number() OVER (PARTITION BY year, ags, payout_date, reference, open_amount, rate ORDER BY day) AS INTEGER) AS island
    FROM priced
    WHERE open_amount > 0
)
SELECT year, ags, payout_date, reference, min(day) AS period_from, max(day) AS period_to, open_amount,
       coalesce(rate, 0) AS rate, CAST(count(*) AS INTEGER) AS days,
       CAST(round(open_amount * coalesce(rate, 0) * count(*) / 365, 2) AS DECIMAL(18,2)) AS interest
FROM islands
GROUP BY year, ags, payout_date, reference, open_amount, rate, island;
