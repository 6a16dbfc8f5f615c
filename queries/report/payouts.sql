-- The payout ledger of a year as the latest run saw it, payouts up to $2:
-- per payout its day, amount, reference, the day its spending window ended,
-- what of it was unspent then, the day the grant's share of eligible
-- payments covered it, what was still open on the run's day, and its
-- interest (the sum of its periods, see interest_periods.sql).
SELECT ags, payout_date, amount, reference, due, unspent_at_due, covered_on, open_now, interest, days_open, is_due
FROM run_payout_coverage
WHERE year = $1 AND payout_date <= CAST($2 AS DATE)
ORDER BY ags, payout_date, reference;
