-- For each payout made by the as-of day: how much of it was not yet spent on
-- eligible costs when it was due (spending window after the payout), and
-- the interest at risk on that part, day by day until it was spent or until
-- the as-of day. Payouts are covered in date order by the grant's share
-- (funding rate) of eligible payments, cumulated over the year.
CREATE OR REPLACE VIEW payout_coverage AS
WITH ctx AS (SELECT as_of FROM run_context),
p AS (
    SELECT ap.year, ap.ags, ap.payout_date, ap.reference, ap.amount,
           sum(ap.amount) OVER (PARTITION BY ap.year, ap.ags ORDER BY ap.payout_date, ap.reference
                                ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS cum_paid,
           ap.payout_date + y.spending_window_days AS due,
           y.funding_rate, y.interest_rate
    FROM all_payouts ap JOIN cfg_years y ON y.year = ap.year, ctx
    WHERE ap.payout_date <= ctx.as_of
),
spend AS (
    SELECT district AS ags, year, payment_date,
           sum(sum(amount)) OVER (PARTITION BY district, year ORDER BY payment_date) AS cum_spent
    FROM eligible_sums
    GROUP BY district, year, payment_date
),
at_due AS (
    SELECT p.*, coalesce(s.cum_spent, 0) AS spent_by_due
    FROM p ASOF LEFT JOIN spend s ON s.ags = p.ags AND s.year = p.year AND s.payment_date <= p.due
),
days AS (
    SELECT a.year, a.ags, a.payout_date, a.reference, a.amount, a.cum_paid, a.funding_rate, a.interest_rate,
           CAST(unnest(range(CAST(a.due + 1 AS TIMESTAMP), CAST(ctx.as_of + 1 AS TIMESTAMP), INTERVAL 1 DAY)) AS DATE) AS day
    FROM at_due a, ctx
    WHERE a.due < ctx.as_of
),
uncovered AS (
    SELECT d.year, d.ags, d.payout_date, d.reference,
           greatest(0, least(d.amount, d.cum_paid - round(d.funding_rate * coalesce(s.cum_spent, 0), 2))) AS open_amount,
           d.interest_rate
    FROM days d ASOF LEFT JOIN spend s ON s.ags = d.ags AND s.year = d.year AND s.payment_date <= d.day
),
interest AS (
    SELECT year, ags, payout_date, reference,
           CAST(round(sum(open_amount * interest_rate) / 365, 2) AS DECIMAL(18,2)) AS interest,
           count(*) FILTER (open_amount > 0) AS days_open
    FROM uncovered
    GROUP BY year, ags, payout_date, reference
)
SELECT a.year, a.ags, a.payout_date, a.reference, a.amount, a.due,
       CAST(greatest(0, least(a.amount, a.cum_paid - round(a.funding_rate * a.spent_by_due, 2))) AS DECIMAL(18,2)) AS unspent_at_due,
       coalesce(i.interest, 0) AS interest,
       coalesce(i.days_open, 0) AS days_open,
       (SELECT as_of FROM ctx) >= a.due AS is_due
FROM at_due a
LEFT JOIN interest i ON i.year = a.year AND i.ags = a.ags AND i.payout_date = a.payout_date AND i.reference = a.reference;
