-- id: MADE_ROWS
-- severity: info
-- message_de: Quartal {q} ohne Frist.
-- message_en: Quarter {q} without a deadline.
-- range, generate_series and unnest make rows of their arguments alone.
WITH RECURSIVE quarters(q) AS (SELECT 1 UNION ALL SELECT q + 1 FROM quarters WHERE q < 4)
SELECT NULL AS district, y.year, q.q AS quarter, NULL AS submission_id, NULL AS sheet, NULL AS cell, NULL AS row_no, q.q
FROM cfg_years y, quarters q, range(1) r, generate_series(1, 1) g, unnest([1]) u
WHERE NOT EXISTS (SELECT 1 FROM cfg_deadlines d WHERE d.year = y.year AND d.quarter = q.q)
