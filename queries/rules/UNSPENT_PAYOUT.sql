-- id: UNSPENT_PAYOUT
-- severity: warning
-- message_de: Von der Auszahlung vom {payout_date} ({amount}) waren bis zum {due} erst {spent} verwendet; {unspent} blieben länger als {window} Tage ungenutzt. Zinsen bis zum {as_of}: {interest} für {days_open} Tage (Zeitabschnitte, Beträge und Zinssätze im Bericht des Kreises unter „Auszahlungen und Zinsen“).
-- message_en: Of the payout of {payout_date} ({amount}), only {spent} had been spent by {due}; {unspent} stayed unused beyond {window} days. Interest up to {as_of}: {interest} for {days_open} days (periods, amounts and rates in the district's report under "Payouts and interest").
-- Payouts are covered in date order by the grant's share of eligible
-- payments (see views/15_payout_coverage.sql); the interest is the sum of
-- the payout's periods in run_interest_periods, each multiplied out there.
SELECT pc.ags AS district, pc.year, quarter(pc.payout_date) AS quarter, CAST(NULL AS BIGINT) AS submission_id,
       CAST(NULL AS VARCHAR) AS sheet, CAST(NULL AS VARCHAR) AS cell, CAST(NULL AS INTEGER) AS row_no,
       pc.payout_date, pc.amount, pc.due, CAST(pc.amount - pc.unspent_at_due AS DECIMAL(18,2)) AS spent,
       pc.unspent_at_due AS unspent, pc.interest, pc.days_open, y.spending_window_days AS window, c.as_of
FROM run_payout_coverage pc JOIN cfg_years y ON y.year = pc.year, run_context c
WHERE pc.is_due AND pc.unspent_at_due > 0
