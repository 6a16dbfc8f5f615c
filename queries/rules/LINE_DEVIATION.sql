-- id: LINE_DEVIATION
-- severity: warning
-- severity_year_end: error
-- message_de: {category_de}: bis zum {quarter}. Quartal {spent} ausgegeben, {spent_pct} des Plans von {plan}; zulässig sind {limit} (Plan + {tolerance_pct}).
-- message_en: {category_en}: {spent} spent by quarter {quarter}, {spent_pct} of the plan of {plan}; the limit is {limit} (plan + {tolerance_pct}).
-- Cumulative eligible spending per cost category against the year's plan.
-- Exactly plan + tolerance is still allowed.
SELECT s.district, s.year, s.quarter, s.submission_id, CAST(NULL AS VARCHAR) AS sheet, CAST(NULL AS VARCHAR) AS cell,
       CAST(NULL AS INTEGER) AS row_no, c.name_de AS category_de, c.name_en AS category_en,
       s.spent, s.plan,
       CAST(round(s.plan * (1 + y.line_tolerance), 2) AS DECIMAL(18,2)) AS limit,
       CAST(CASE WHEN s.plan > 0 THEN round(100 * s.spent / s.plan, 2) END AS DECIMAL(9,2)) AS spent_pct,
       CAST(100 * y.line_tolerance AS DECIMAL(9,2)) AS tolerance_pct
FROM period_spending s
JOIN cfg_years y ON y.year = s.year
JOIN cfg_categories c ON c.year = s.year AND c.code = s.category
WHERE s.spent > round(s.plan * (1 + y.line_tolerance), 2)
