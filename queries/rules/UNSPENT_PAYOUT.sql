-- id: UNSPENT_PAYOUT
-- severity: warning
-- message_de: Von der Auszahlung vom {payout_date} ({amount}) waren bis zum {due} erst {spent} verwendet; {unspent} blieben länger als {window} Tage ungenutzt. Zinsrisiko bis zum {as_of}: {interest} ({interest_pct} p. a., {days_open} Tage).
-- message_en: Of the payout of {payout_date} ({amount}), only {spent} had been spent by {due}; {unspent} stayed unused beyond {window} days. Interest at risk up to {as_of}: {interest} ({interest_pct} a year, {days_open} days).
-- Payouts are covered in date order by the grant's share of eligible
-- payments (see the view payout_coverage).
SELECT pc.ags AS district, pc.year, quarter(pc.payout_date) AS quarter, CAST(NULL AS BIGINT) AS submission_id,
       CAST(NULL AS VARCHAR) AS sheet, CAST(NULL AS VARCHAR) AS cell, CAST(NULL AS INTEGER) AS row_no,
       pc.payout_date, pc.amount, pc.due, CAST(pc.amount - pc.unspent_at_due AS DECIMAL(18,2)) AS spent,
       pc.unspent_at_due AS unspent, pc.interest, pc.days_open, y.spending_window_days AS window,
       CAST(100 * y.interest_rate AS DECIMAL(9,2)) AS interest_pct, c.as_of
FROM run_payout_coverage pc JOIN cfg_years y ON y.year = pc.year, run_context c
WHERE pc.is_due AND pc.unspent_at_due > 0
