-- How the payouts made by the as-of day were used. Payouts are covered in
-- date order (payout_schedule) by the grant's share (funding rate) of
-- eligible payments, cumulated over the year (cumulative_spending).
--
-- payout_coverage: per payout its due day, what of it was unspent then,
-- the day it was covered in full (NULL: not by the as-of day), what was
-- still open on the as-of day, and its interest: the sum of its periods in
-- run_interest_periods (filled from payout_interest_periods first).
CREATE OR REPLACE VIEW payout_coverage AS
WITH at_due AS (
    SELECT p.*, coalesce(s.cum_spent, 0) AS spent_by_due
    FROM payout_schedule p ASOF LEFT JOIN cumulative_spending s ON s.ags = p.ags AND s.year = p.year AND s.payment_date <= p.due
),
at_as_of AS (
    SELECT p.year, p.ags, p.payout_date, p.reference, coalesce(s.cum_spent, 0) AS spent_by_as_of
    FROM payout_schedule p ASOF LEFT JOIN cumulative_spending s ON s.ags = p.ags AND s.year = p.year AND s.payment_date <= p.as_of
),
covered AS (
    -- The first day of payment on which the grant's share of everything
    -- paid since 1 January covers this payout and all before it; never
    -- before the payout itself.
    SELECT p.year, p.ags, p.payout_date, p.reference,
           greatest(p.payout_date, min(s.payment_date)) AS covered_on
    FROM payout_schedule p JOIN cumulative_spending s ON s.ags = p.ags AND s.year = p.year
    WHERE round(p.funding_rate * s.cum_spent, 2) >= p.cum_paid
    GROUP BY p.year, p.ags, p.payout_date, p.reference
),
interest AS (
    SELECT year, ags, payout_date, reference, sum(interest) AS interest, sum(days) AS days_open
    FROM run_interest_periods
    GROUP BY year, ags, payout_date, reference
)
SELECT a.year, a.ags, a.payout_date, a.reference, a.amount, a.due,
       CAST(greatest(0, least(a.amount, a.cum_paid - round(a.funding_rate * a.spent_by_due, 2))) AS DECIMAL(18,2)) AS unspent_at_due,
       CAST(coalesce(i.interest, 0) AS DECIMAL(18,2)) AS interest,
       coalesce(i.days_open, 0) AS days_open,
       a.as_of >= a.due AS is_due,
       c.covered_on,
       CAST(greatest(0, least(a.amount, a.cum_paid - round(a.funding_rate * n.spent_by_as_of, 2))) AS DECIMAL(18,2)) AS open_now
FROM at_due a
JOIN at_as_of n ON n.year = a.year AND n.ags = a.ags AND n.payout_date = a.payout_date AND n.reference = a.reference
LEFT JOIN covered c ON c.year = a.year AND c.ags = a.ags AND c.payout_date = a.payout_date AND c.reference = a.reference
LEFT JOIN interest i ON i.year = a.year AND i.ags = a.ags AND i.payout_date = a.payout_date AND i.reference = a.reference;
