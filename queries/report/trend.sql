-- Per district and quarter 1..$2: what arrived and what it adds up to.
-- status: accepted, late (accepted after the deadline), rejected (only
-- rejected files), missing (deadline passed, nothing accepted), open; as of
-- the run's day (a file received after it is not there yet).
WITH q AS (SELECT unnest(range(1, $2 + 1)) AS quarter),
cur AS (
    SELECT district, quarter, max(CAST(received_local AS DATE)) AS received
    FROM current_submissions WHERE year = $1 GROUP BY district, quarter
),
elig AS (
    SELECT district, quarter, sum(amount) AS eligible FROM eligible_sums WHERE year = $1 GROUP BY district, quarter
),
counts AS (
    SELECT district, quarter, count(*) FILTER (severity = 'error') AS errors, count(*) FILTER (severity = 'warning') AS warnings
    FROM findings WHERE run_id = $3 AND year = $1 GROUP BY district, quarter
)
SELECT d.ags, q.quarter,
       CASE WHEN cur.district IS NOT NULL AND cur.received > dl.deadline THEN 'late'
            WHEN cur.district IS NOT NULL THEN 'accepted'
            WHEN EXISTS (SELECT 1 FROM submissions s WHERE s.outcome = 'rejected' AND coalesce(s.district, s.inbox_district) = d.ags
                         AND s.year = $1 AND s.quarter = q.quarter
                         AND CAST(s.received_local AS DATE) <= (SELECT as_of FROM validation_runs WHERE id = $3)) THEN 'rejected'
            WHEN dl.deadline < (SELECT as_of FROM validation_runs WHERE id = $3) THEN 'missing'
            ELSE 'open' END AS status,
       CAST(coalesce(e.eligible, 0) AS DECIMAL(18,2)),
       CAST(coalesce(sum(e.eligible) OVER (PARTITION BY d.ags ORDER BY q.quarter), 0) AS DECIMAL(18,2)),
       coalesce(c.errors, 0), coalesce(c.warnings, 0)
FROM cfg_districts d
CROSS JOIN q
JOIN cfg_deadlines dl ON dl.year = d.year AND dl.quarter = q.quarter
LEFT JOIN cur ON cur.district = d.ags AND cur.quarter = q.quarter
LEFT JOIN elig e ON e.district = d.ags AND e.quarter = q.quarter
LEFT JOIN counts c ON c.district = d.ags AND c.quarter = q.quarter
WHERE d.year = $1
ORDER BY d.ags, q.quarter;
