-- The payouts made by the as-of day, in the order they are covered: per
-- district and year by date (and reference), with what was paid out up to
-- and including each (cum_paid), the last day of its spending window (due)
-- and the year's funding rate and interest points. The coverage and the
-- interest of payouts (views payout_coverage, payout_interest_periods) are
-- both computed from it.
CREATE OR REPLACE VIEW payout_schedule AS
SELECT ap.year, ap.ags, ap.payout_date, ap.reference, ap.amount,
       sum(ap.amount) OVER (PARTITION BY ap.year, ap.ags ORDER BY ap.payout_date, ap.reference
                            ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS cum_paid,
       ap.payout_date + y.spending_window_days AS due,
       y.funding_rate, y.interest_points, c.as_of
FROM all_payouts ap JOIN cfg_years y ON y.year = ap.year, run_context c
WHERE ap.payout_date <= c.as_of;
