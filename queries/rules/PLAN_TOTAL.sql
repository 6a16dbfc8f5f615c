-- id: PLAN_TOTAL
-- severity: warning
-- message_de: Bis zum {quarter}. Quartal {spent} zuwendungsfähig ausgegeben, mehr als der Gesamtplan von {plan_total}; der Mehrbetrag von {excess} ist Eigenanteil des Kreises.
-- message_en: {spent} of eligible costs by quarter {quarter}, more than the total plan of {plan_total}; the excess of {excess} is the district's own cost.
WITH periods AS (
    SELECT DISTINCT district, year, quarter, id FROM current_submissions
),
spent AS (
    SELECT p.*, (SELECT coalesce(sum(e.amount), 0) FROM eligible_receipts e
                 WHERE e.district = p.district AND e.year = p.year AND e.quarter <= p.quarter) AS spent
    FROM periods p
)
SELECT s.district, s.year, s.quarter, s.id AS submission_id, CAST(NULL AS VARCHAR) AS sheet, CAST(NULL AS VARCHAR) AS cell,
       CAST(NULL AS INTEGER) AS row_no, CAST(s.spent AS DECIMAL(18,2)) AS spent, d.plan_total,
       CAST(s.spent - d.plan_total AS DECIMAL(18,2)) AS excess
FROM spent s JOIN cfg_districts d ON d.year = s.year AND d.ags = s.district
WHERE s.spent > d.plan_total
