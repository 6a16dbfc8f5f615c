-- id: FTE_LIMIT
-- severity: warning
-- message_de: Am {first_day} summieren sich die VZÄ auf {fte}; gefördert sind {posts} Vollzeitstellen (Bewilligung {approved} bei höchstens {post_cap} je Stelle).
-- message_en: On {first_day} the FTE add up to {fte}; {posts} full-time posts are funded (grant {approved} at most {post_cap} per post).
-- Only when the cap per full-time post is switched on (post_cap_per_fte > 0).
WITH load AS (
    SELECT submission_id, district, year, quarter, day, sum(fte) AS fte, min(sheet) AS sheet
    FROM coordinator_days
    WHERE fte > 0 AND fte <= 1
    GROUP BY submission_id, district, year, quarter, day
)
SELECT l.district, l.year, l.quarter, l.submission_id, min(l.sheet) AS sheet, CAST(NULL AS VARCHAR) AS cell,
       CAST(NULL AS INTEGER) AS row_no, min(l.day) AS first_day,
       CAST(max(l.fte) AS DECIMAL(9,4)) AS fte,
       CAST(round(d.approved / y.post_cap_per_fte, 2) AS DECIMAL(9,2)) AS posts,
       d.approved, y.post_cap_per_fte AS post_cap
FROM load l
JOIN cfg_years y ON y.year = l.year
JOIN cfg_districts d ON d.year = l.year AND d.ags = l.district
WHERE y.post_cap_per_fte > 0 AND l.fte > d.approved / y.post_cap_per_fte
GROUP BY l.district, l.year, l.quarter, l.submission_id, d.approved, y.post_cap_per_fte
