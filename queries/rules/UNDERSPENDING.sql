-- id: UNDERSPENDING
-- severity: warning
-- message_de: Bis zum {quarter}. Quartal erst {spent} ausgegeben: {spent_pct} des anteiligen Plans von {pro_rata}; unter {threshold_pct} droht, dass Mittel am Jahresende übrig bleiben.
-- message_en: Only {spent} spent by quarter {quarter}: {spent_pct} of the pro-rata plan of {pro_rata}; below {threshold_pct}, money is likely to be left at year end.
WITH spent AS (
    SELECT district, year, quarter, submission_id, sum(spent) AS spent
    FROM period_spending GROUP BY district, year, quarter, submission_id
)
SELECT s.district, s.year, s.quarter, s.submission_id, CAST(NULL AS VARCHAR) AS sheet, CAST(NULL AS VARCHAR) AS cell,
       CAST(NULL AS INTEGER) AS row_no, CAST(s.spent AS DECIMAL(18,2)) AS spent,
       CAST(round(d.plan_total * s.quarter / 4, 2) AS DECIMAL(18,2)) AS pro_rata,
       CAST(round(100 * s.spent / (d.plan_total * s.quarter / 4), 2) AS DECIMAL(9,2)) AS spent_pct,
       CAST(100 * y.underspending AS DECIMAL(9,2)) AS threshold_pct
FROM spent s
JOIN cfg_districts d ON d.year = s.year AND d.ags = s.district
JOIN cfg_years y ON y.year = s.year
WHERE d.plan_total > 0 AND s.spent < round(y.underspending * d.plan_total * s.quarter / 4, 2)
