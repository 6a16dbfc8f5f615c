-- Coordinators employed on the last day of quarter $2 (or the latest quarter
-- reported before it), per district, and their FTE. The FTE is a count of
-- posts, not money: it comes as the text of DECIMAL(9,2) ("2.75", "3.00"),
-- which the reports show as written (the driver's decimal drops the zeros).
WITH latest AS (
    SELECT district, arg_max(id, quarter) AS id, max(quarter) AS quarter
    FROM current_submissions WHERE year = $1 AND quarter <= $2 GROUP BY district
)
SELECT l.district, count(c.row_no), CAST(coalesce(sum(c.fte), 0) AS DECIMAL(9,2))::VARCHAR
FROM latest l
LEFT JOIN coordinators c ON c.submission_id = l.id
     AND c.start_date <= CAST(make_date($1, 3 * l.quarter - 2, 1) + INTERVAL 3 MONTH - INTERVAL 1 DAY AS DATE)
     AND (c.end_date IS NULL OR c.end_date >= CAST(make_date($1, 3 * l.quarter - 2, 1) + INTERVAL 3 MONTH - INTERVAL 1 DAY AS DATE))
GROUP BY l.district;
