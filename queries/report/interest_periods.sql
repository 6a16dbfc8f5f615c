-- The interest periods of a year's payouts up to $2 as the latest run
-- computed them: per period the uncovered amount, the days, the rate (base
-- rate of those days plus the points above it) and the interest.
SELECT ags, payout_date, reference, period_from, period_to, open_amount, CAST(round(rate * 1000000) AS BIGINT) AS rate_ppm, days, interest
FROM run_interest_periods
WHERE year = $1 AND payout_date <= CAST($2 AS DATE)
ORDER BY ags, payout_date, reference, period_from;
