-- id: STATE_CAP
-- severity: error
-- message_de: {what_de} für {year} ergeben {total}, mehr als die Landesmittel von {budget} (um {excess}).
-- message_en: {what_en} for {year} add up to {total}, more than the state budget of {budget} (by {excess}).
WITH approved AS (
    SELECT year, sum(approved) AS total FROM cfg_districts GROUP BY year
),
computed AS (
    SELECT d.year, sum(least(round(y.funding_rate * coalesce(e.eligible, 0), 2), d.approved, y.district_cap)) AS total
    FROM cfg_districts d
    JOIN cfg_years y ON y.year = d.year
    LEFT JOIN (SELECT district, year, sum(amount) AS eligible FROM eligible_sums GROUP BY district, year) e
           ON e.district = d.ags AND e.year = d.year
    GROUP BY d.year
)
SELECT CAST(NULL AS VARCHAR) AS district, a.year, CAST(NULL AS INTEGER) AS quarter, CAST(NULL AS BIGINT) AS submission_id,
       CAST(NULL AS VARCHAR) AS sheet, CAST(NULL AS VARCHAR) AS cell, CAST(NULL AS INTEGER) AS row_no,
       'Die Bewilligungen' AS what_de, 'The approved grants' AS what_en,
       CAST(a.total AS DECIMAL(18,2)) AS total, y.state_budget AS budget, CAST(a.total - y.state_budget AS DECIMAL(18,2)) AS excess
FROM approved a JOIN cfg_years y ON y.year = a.year
WHERE a.total > y.state_budget
UNION ALL
SELECT NULL, c.year, NULL, NULL, NULL, NULL, NULL,
       'Die berechneten Zuwendungen', 'The computed grants',
       CAST(c.total AS DECIMAL(18,2)), y.state_budget, CAST(c.total - y.state_budget AS DECIMAL(18,2))
FROM computed c JOIN cfg_years y ON y.year = c.year
WHERE c.total > y.state_budget
