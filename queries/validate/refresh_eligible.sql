-- After the line rules: the receipts they left eligible, and the coverage
-- of the payouts by them, as tables for the rest of the run.
DELETE FROM eligible_receipts;
INSERT INTO eligible_receipts SELECT * FROM eligible_receipts_now;
DELETE FROM run_payout_coverage;
INSERT INTO run_payout_coverage
SELECT year, ags, payout_date, reference, amount, due, unspent_at_due, interest, days_open, is_due FROM payout_coverage;
