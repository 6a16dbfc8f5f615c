-- After the line rules: the spending they left eligible and the income
-- they left counted, summed; whether each year is settled; and the
-- coverage of the payouts by it with the interest periods, as tables for
-- the rest of the run.
DELETE FROM eligible_sums;
INSERT INTO eligible_sums
SELECT district, year, quarter, category, payment_date, sum(amount), count(*)
FROM eligible_receipts
GROUP BY district, year, quarter, category, payment_date;
DELETE FROM income_sums;
INSERT INTO income_sums
SELECT district, year, quarter, income_type, sum(amount), count(*)
FROM counted_income
GROUP BY district, year, quarter, income_type;
DELETE FROM run_year_status;
INSERT INTO run_year_status SELECT district, year, settled FROM year_status;
DELETE FROM run_interest_periods;
INSERT INTO run_interest_periods
SELECT year, ags, payout_date, reference, period_from, period_to, open_amount, rate, days, interest FROM payout_interest_periods;
DELETE FROM run_payout_coverage;
INSERT INTO run_payout_coverage (year, ags, payout_date, reference, amount, due, unspent_at_due, interest, days_open, is_due, covered_on, open_now)
SELECT year, ags, payout_date, reference, amount, due, unspent_at_due, interest, days_open, is_due, covered_on, open_now FROM payout_coverage;
