-- The payouts a statement as of the run's day draws on: those dated by
-- then, from the configuration and imported.
SELECT p.ags, p.payout_date, p.amount, p.reference
FROM all_payouts p, run_context c
WHERE p.payout_date <= c.as_of
ORDER BY p.ags, p.payout_date, p.reference, p.amount;
