-- id: FUNDING_RATE
-- severity: error
-- message_de: Ausgezahlt wurden {paid} bei zuwendungsfähigen Ausgaben von {eligible}: ein Fördersatz von {implied_pct}, zulässig sind höchstens {rate_pct}. Zu viel gezahlt: {excess}.
-- message_en: {paid} was paid out against eligible costs of {eligible}: a funding rate of {implied_pct}, at most {rate_pct} is allowed. Paid too much: {excess}.
-- The claim of a budget year is settled once the year is over (the as-of
-- day is after 31 December) or its fourth quarter is in; before that,
-- payouts are advances (see UNSPENT_PAYOUT).
WITH years AS (
    SELECT d.ags AS district, d.year, y.funding_rate
    FROM cfg_districts d JOIN cfg_years y ON y.year = d.year, run_context c
    WHERE c.as_of > make_date(d.year, 12, 31)
       OR EXISTS (SELECT 1 FROM current_submissions s WHERE s.district = d.ags AND s.year = d.year AND s.quarter = 4)
),
figures AS (
    SELECT y.*,
           (SELECT coalesce(sum(amount), 0) FROM eligible_sums e WHERE e.district = y.district AND e.year = y.year) AS eligible,
           (SELECT coalesce(sum(amount), 0) FROM all_payouts p, run_context c
            WHERE p.ags = y.district AND p.year = y.year AND p.payout_date <= c.as_of) AS paid
    FROM years y
)
SELECT f.district, f.year, 4 AS quarter,
       (SELECT max(id) FROM current_submissions s WHERE s.district = f.district AND s.year = f.year AND s.quarter = 4) AS submission_id,
       CAST(NULL AS VARCHAR) AS sheet, CAST(NULL AS VARCHAR) AS cell, CAST(NULL AS INTEGER) AS row_no,
       CAST(f.paid AS DECIMAL(18,2)) AS paid, CAST(f.eligible AS DECIMAL(18,2)) AS eligible,
       CAST(CASE WHEN f.eligible > 0 THEN round(100 * f.paid / f.eligible, 2) END AS DECIMAL(9,2)) AS implied_pct,
       CAST(100 * f.funding_rate AS DECIMAL(9,2)) AS rate_pct,
       CAST(f.paid - round(f.funding_rate * f.eligible, 2) AS DECIMAL(18,2)) AS excess
FROM figures f
WHERE f.paid > round(f.funding_rate * f.eligible, 2)
