-- id: COORDINATOR_LIMIT
-- severity: error
-- message_de: Am {first_day} sind {coordinators} Koordinator:innen beschäftigt; gefördert werden höchstens {limit} je Kreis.
-- message_en: On {first_day}, {coordinators} coordinators are employed; at most {limit} per district are funded.
-- Counted day by day over the quarter: one leaving on the 14th and another
-- starting on the 15th never overlap.
WITH employed AS (
    SELECT submission_id, district, year, quarter, day, count(*) AS n, min(sheet) AS sheet
    FROM coordinator_days
    GROUP BY submission_id, district, year, quarter, day
)
SELECT e.district, e.year, e.quarter, e.submission_id, min(e.sheet) AS sheet, CAST(NULL AS VARCHAR) AS cell,
       CAST(NULL AS INTEGER) AS row_no, min(e.day) AS first_day, max(e.n) AS coordinators, y.max_coordinators AS limit
FROM employed e JOIN cfg_years y ON y.year = e.year
WHERE e.n > y.max_coordinators
GROUP BY e.district, e.year, e.quarter, e.submission_id, y.max_coordinators
