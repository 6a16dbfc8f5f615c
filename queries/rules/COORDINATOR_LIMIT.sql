-- id: COORDINATOR_LIMIT
-- severity: error
-- message_de: Am {first_day} sind {coordinators} Koordinator:innen beschäftigt; gefördert werden höchstens {limit} je Kreis.
-- message_en: On {first_day}, {coordinators} coordinators are employed; at most {limit} per district are funded.
-- Counted day by day over the quarter: one leaving on the 14th and another
-- starting on the 15th never overlap.
WITH q AS (
    SELECT s.id, s.district, s.year, s.quarter, make_date(s.year, 3 * s.quarter - 2, 1) AS qstart
    FROM current_submissions s
),
days AS (
    SELECT q.*, CAST(unnest(range(CAST(q.qstart AS TIMESTAMP), CAST(q.qstart + INTERVAL 3 MONTH AS TIMESTAMP), INTERVAL 1 DAY)) AS DATE) AS day
    FROM q
),
employed AS (
    SELECT d.id, d.district, d.year, d.quarter, d.day, count(*) AS n, min(c.sheet) AS sheet
    FROM days d
    JOIN coordinators c ON c.submission_id = d.id AND c.start_date <= d.day AND (c.end_date IS NULL OR c.end_date >= d.day)
    GROUP BY d.id, d.district, d.year, d.quarter, d.day
)
SELECT e.district, e.year, e.quarter, e.id AS submission_id, min(e.sheet) AS sheet, CAST(NULL AS VARCHAR) AS cell,
       CAST(NULL AS INTEGER) AS row_no, min(e.day) AS first_day, max(e.n) AS coordinators, y.max_coordinators AS limit
FROM employed e JOIN cfg_years y ON y.year = e.year
WHERE e.n > y.max_coordinators
GROUP BY e.district, e.year, e.quarter, e.id, y.max_coordinators
