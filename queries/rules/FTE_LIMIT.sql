-- id: FTE_LIMIT
-- severity: warning
-- message_de: Am {first_day} summieren sich die VZÄ auf {fte}; gefördert sind {posts} Vollzeitstellen (Bewilligung {approved} bei höchstens {post_cap} je Stelle).
-- message_en: On {first_day} the FTE add up to {fte}; {posts} full-time posts are funded (grant {approved} at most {post_cap} per post).
-- Only when the cap per full-time post is switched on (post_cap_per_fte > 0).
WITH q AS (
    SELECT s.id, s.district, s.year, s.quarter, make_date(s.year, 3 * s.quarter - 2, 1) AS qstart
    FROM current_submissions s
),
days AS (
    SELECT q.*, CAST(unnest(range(CAST(q.qstart AS TIMESTAMP), CAST(q.qstart + INTERVAL 3 MONTH AS TIMESTAMP), INTERVAL 1 DAY)) AS DATE) AS day
    FROM q
),
load AS (
    SELECT d.id, d.district, d.year, d.quarter, d.day, sum(c.fte) AS fte, min(c.sheet) AS sheet
    FROM days d
    JOIN coordinators c ON c.submission_id = d.id AND c.start_date <= d.day AND (c.end_date IS NULL OR c.end_date >= d.day)
    WHERE c.fte > 0 AND c.fte <= 1
    GROUP BY d.id, d.district, d.year, d.quarter, d.day
)
SELECT l.district, l.year, l.quarter, l.id AS submission_id, min(l.sheet) AS sheet, CAST(NULL AS VARCHAR) AS cell,
       CAST(NULL AS INTEGER) AS row_no, min(l.day) AS first_day,
       CAST(max(l.fte) AS DECIMAL(9,4)) AS fte,
       CAST(round(d.approved / y.post_cap_per_fte, 2) AS DECIMAL(9,2)) AS posts,
       d.approved, y.post_cap_per_fte AS post_cap
FROM load l
JOIN cfg_years y ON y.year = l.year
JOIN cfg_districts d ON d.year = l.year AND d.ags = l.district
WHERE y.post_cap_per_fte > 0 AND l.fte > d.approved / y.post_cap_per_fte
GROUP BY l.district, l.year, l.quarter, l.id, d.approved, y.post_cap_per_fte
