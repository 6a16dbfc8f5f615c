-- id: FUNDING_RATE
-- severity: error
-- message_de: Ausgezahlt wurden {paid} bei zuwendungsfähigen Ausgaben von {eligible} abzüglich Einnahmen von {income}: ein Fördersatz von {implied_pct}, zulässig sind höchstens {rate_pct}. {state_de}: {excess}.
-- message_en: {paid} was paid out against eligible expenditure of {eligible} less income of {income}: a funding rate of {implied_pct}, at most {rate_pct} is allowed. {state_en}: {excess}.
-- Looked at once the year is over or its fourth quarter is in. While the
-- year is not settled (views/10_year_status.sql) the payouts are advances
-- and the finding a warning ("currently more paid out"); once it is
-- settled, an error: the excess is a repayment claim.
WITH years AS (
    SELECT d.ags AS district, d.year, y.funding_rate, s.settled
    FROM cfg_districts d JOIN cfg_years y ON y.year = d.year
    JOIN run_year_status s ON s.district = d.ags AND s.year = d.year, run_context c
    WHERE c.as_of > make_date(d.year, 12, 31)
       OR EXISTS (SELECT 1 FROM current_submissions s WHERE s.district = d.ags AND s.year = d.year AND s.quarter = 4)
),
figures AS (
    SELECT y.*,
           (SELECT coalesce(sum(amount), 0) FROM eligible_sums e WHERE e.district = y.district AND e.year = y.year) AS eligible,
           (SELECT coalesce(sum(amount), 0) FROM income_sums i WHERE i.district = y.district AND i.year = y.year) AS income,
           (SELECT coalesce(sum(amount), 0) FROM all_payouts p, run_context c
            WHERE p.ags = y.district AND p.year = y.year AND p.payout_date <= c.as_of) AS paid
    FROM years y
)
SELECT f.district, f.year, 4 AS quarter,
       (SELECT max(id) FROM current_submissions s WHERE s.district = f.district AND s.year = f.year AND s.quarter = 4) AS submission_id,
       CAST(NULL AS VARCHAR) AS sheet, CAST(NULL AS VARCHAR) AS cell, CAST(NULL AS INTEGER) AS row_no,
       CASE WHEN f.settled THEN 'error' ELSE 'warning' END AS severity,
       CASE WHEN f.settled THEN 'Rückforderung' ELSE 'Bisher mehr ausgezahlt (vorläufig, das Jahr ist noch nicht abgerechnet)' END AS state_de,
       CASE WHEN f.settled THEN 'Repayment claim' ELSE 'Currently more paid out (provisional: the year is not settled yet)' END AS state_en,
       CAST(f.paid AS DECIMAL(18,2)) AS paid, CAST(f.eligible AS DECIMAL(18,2)) AS eligible, CAST(f.income AS DECIMAL(18,2)) AS income,
       CAST(CASE WHEN f.eligible - f.income > 0 THEN round(100 * f.paid / (f.eligible - f.income), 2) END AS DECIMAL(9,2)) AS implied_pct,
       CAST(100 * f.funding_rate AS DECIMAL(9,2)) AS rate_pct,
       CAST(f.paid - greatest(0, round(f.funding_rate * (f.eligible - f.income), 2)) AS DECIMAL(18,2)) AS excess
FROM figures f
WHERE f.paid > greatest(0, round(f.funding_rate * (f.eligible - f.income), 2))
