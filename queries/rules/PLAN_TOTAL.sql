-- id: PLAN_TOTAL
-- severity: warning
-- message_de: Bis zum {quarter}. Quartal {spent} zuwendungsfähig ausgegeben, mehr als der Gesamtplan von {plan_total}; der Mehrbetrag von {excess} ist Eigenanteil des Kreises.
-- message_en: {spent} of eligible costs by quarter {quarter}, more than the total plan of {plan_total}; the excess of {excess} is the district's own cost.
WITH spent AS (
    SELECT district, year, quarter, submission_id, sum(spent) AS spent
    FROM period_spending GROUP BY district, year, quarter, submission_id
)
SELECT s.district, s.year, s.quarter, s.submission_id, CAST(NULL AS VARCHAR) AS sheet, CAST(NULL AS VARCHAR) AS cell,
       CAST(NULL AS INTEGER) AS row_no, CAST(s.spent AS DECIMAL(18,2)) AS spent, d.plan_total,
       CAST(s.spent - d.plan_total AS DECIMAL(18,2)) AS excess
FROM spent s JOIN cfg_districts d ON d.year = s.year AND d.ags = s.district
WHERE s.spent > d.plan_total
