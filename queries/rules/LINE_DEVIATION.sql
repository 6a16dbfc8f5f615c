-- id: LINE_DEVIATION
-- severity: warning
-- severity_year_end: error
-- message_de: {category_de}: bis zum {quarter}. Quartal {spent} ausgegeben, {spent_pct} des Plans von {plan}; zulässig sind {limit} (Plan + {tolerance_pct}).
-- message_en: {category_en}: {spent} spent by quarter {quarter}, {spent_pct} of the plan of {plan}; the limit is {limit} (plan + {tolerance_pct}).
-- Cumulative eligible spending per cost category against the year's plan.
-- Exactly plan + tolerance is still allowed.
WITH periods AS (
    SELECT DISTINCT district, year, quarter, id FROM current_submissions
),
spent AS (
    SELECT p.district, p.year, p.quarter, p.id, pl.category, pl.amount AS plan,
           (SELECT coalesce(sum(e.amount), 0) FROM eligible_receipts e
            WHERE e.district = p.district AND e.year = p.year AND e.quarter <= p.quarter AND e.category = pl.category) AS spent
    FROM periods p JOIN cfg_plan pl ON pl.ags = p.district AND pl.year = p.year
)
SELECT s.district, s.year, s.quarter, s.id AS submission_id, CAST(NULL AS VARCHAR) AS sheet, CAST(NULL AS VARCHAR) AS cell,
       CAST(NULL AS INTEGER) AS row_no, c.name_de AS category_de, c.name_en AS category_en,
       CAST(s.spent AS DECIMAL(18,2)) AS spent, s.plan,
       CAST(round(s.plan * (1 + y.line_tolerance), 2) AS DECIMAL(18,2)) AS limit,
       CAST(CASE WHEN s.plan > 0 THEN round(100 * s.spent / s.plan, 2) END AS DECIMAL(9,2)) AS spent_pct,
       CAST(100 * y.line_tolerance AS DECIMAL(9,2)) AS tolerance_pct
FROM spent s
JOIN cfg_years y ON y.year = s.year
JOIN cfg_categories c ON c.year = s.year AND c.code = s.category
WHERE s.spent > round(s.plan * (1 + y.line_tolerance), 2)
