-- After the line rules: the spending they left eligible, summed, and the
-- coverage of the payouts by it, as tables for the rest of the run.
DELETE FROM eligible_sums;
INSERT INTO eligible_sums
SELECT district, year, quarter, category, payment_date, sum(amount), count(*)
FROM eligible_receipts
GROUP BY district, year, quarter, category, payment_date;
DELETE FROM run_payout_coverage;
INSERT INTO run_payout_coverage
SELECT year, ags, payout_date, reference, amount, due, unspent_at_due, interest, days_open, is_due FROM payout_coverage;
