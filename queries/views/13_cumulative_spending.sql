-- The eligible spending of each district and year cumulated over the days
-- of payment (from the run's eligible_sums): what covers the payouts, in
-- date order (views payout_coverage, payout_interest_periods).
CREATE OR REPLACE VIEW cumulative_spending AS
SELECT district AS ags, year, payment_date,
       sum(sum(amount)) OVER (PARTITION BY district, year ORDER BY payment_date) AS cum_spent
FROM eligible_sums
GROUP BY district, year, payment_date;
