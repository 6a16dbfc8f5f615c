-- Each day of each current submission's quarter, with every coordinator
-- employed that day (for the rules that count by day).
CREATE OR REPLACE VIEW coordinator_days AS
WITH q AS (
    SELECT id, district, year, quarter, make_date(year, 3 * quarter - 2, 1) AS qstart
    FROM current_submissions
),
days AS (
    SELECT q.*, CAST(unnest(range(CAST(q.qstart AS TIMESTAMP), CAST(q.qstart + INTERVAL 3 MONTH AS TIMESTAMP), INTERVAL 1 DAY)) AS DATE) AS day
    FROM q
)
SELECT d.id AS submission_id, d.district, d.year, d.quarter, d.day, c.sheet, c.row_no, c.coordinator_id, c.fte
FROM days d
JOIN coordinators c ON c.submission_id = d.id AND c.start_date <= d.day AND (c.end_date IS NULL OR c.end_date >= d.day);
