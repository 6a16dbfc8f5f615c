-- All payouts, from the configuration and imported.
CREATE OR REPLACE VIEW all_payouts AS
SELECT year, ags, payout_date, amount, coalesce(reference, '') AS reference FROM cfg_payouts
UNION ALL
SELECT year(payout_date) AS year, ags, payout_date, amount, reference FROM imported_payouts;
