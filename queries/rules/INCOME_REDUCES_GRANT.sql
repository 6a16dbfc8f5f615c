-- id: INCOME_REDUCES_GRANT
-- severity: info
-- message_de: Einnahmen von {income} (geplant: {planned}) mindern die zuwendungsfähigen Ausgaben von {eligible} auf {net}; die Zuwendung beträgt damit {grant} statt {grant_without} ({reduction} weniger, Anteilfinanzierung nach ANBest-Gk Nr. 2.1).
-- message_en: Income of {income} (planned: {planned}) lowers the eligible expenditure of {eligible} to {net}; the grant is therefore {grant} instead of {grant_without} ({reduction} less; share financing, ANBest-Gk no. 2.1).
-- Per district and year with income, as of the latest quarter it reported.
WITH inc AS (
    SELECT district, year, max(quarter) AS quarter, sum(amount) AS income
    FROM income_sums GROUP BY district, year
),
fig AS (
    SELECT i.*, d.approved, d.planned_income, y.funding_rate, y.district_cap,
           (SELECT coalesce(sum(e.amount), 0) FROM eligible_sums e WHERE e.district = i.district AND e.year = i.year) AS eligible
    FROM inc i
    JOIN cfg_districts d ON d.ags = i.district AND d.year = i.year
    JOIN cfg_years y ON y.year = i.year
    WHERE i.income <> 0
),
g AS (
    SELECT f.*, f.eligible - f.income AS net,
           greatest(0, least(round(f.funding_rate * (f.eligible - f.income), 2), f.approved, f.district_cap)) AS "grant",
           greatest(0, least(round(f.funding_rate * f.eligible, 2), f.approved, f.district_cap)) AS grant_without
    FROM fig f
)
SELECT g.district, g.year, g.quarter,
       (SELECT max(id) FROM current_submissions s WHERE s.district = g.district AND s.year = g.year AND s.quarter = g.quarter) AS submission_id,
       CAST(NULL AS VARCHAR) AS sheet, CAST(NULL AS VARCHAR) AS cell, CAST(NULL AS INTEGER) AS row_no,
       CAST(g.income AS DECIMAL(18,2)) AS income, CAST(g.planned_income AS DECIMAL(18,2)) AS planned,
       CAST(g.eligible AS DECIMAL(18,2)) AS eligible, CAST(g.net AS DECIMAL(18,2)) AS net,
       CAST(g."grant" AS DECIMAL(18,2)) AS "grant", CAST(g.grant_without AS DECIMAL(18,2)) AS grant_without,
       CAST(g.grant_without - g."grant" AS DECIMAL(18,2)) AS reduction
FROM g
