-- Per district and quarter of a year: the latest accepted submission's day
-- of arrival (NULL if none), the number of rejected files, and the errors of
-- the latest validation run.
WITH run AS (SELECT coalesce(max(id), 0) AS id FROM validation_runs),
acc AS (
    SELECT district, quarter, max(CAST(received_local AS DATE)) AS received
    FROM submissions WHERE outcome = 'accepted' AND superseded_by IS NULL AND year = $1 GROUP BY district, quarter
),
rej AS (
    SELECT coalesce(inbox_district, district) AS district, quarter, count(*) AS n
    FROM submissions WHERE outcome = 'rejected' AND year = $1 AND quarter IS NOT NULL GROUP BY ALL
),
err AS (
    SELECT district, quarter, count(*) AS n FROM findings, run
    WHERE run_id = run.id AND year = $1 AND severity = 'error' AND district IS NOT NULL AND quarter IS NOT NULL
    GROUP BY district, quarter
),
keys AS (
    SELECT district, quarter FROM acc UNION SELECT district, quarter FROM rej UNION SELECT district, quarter FROM err
)
SELECT k.district, k.quarter, acc.received, coalesce(rej.n, 0), coalesce(err.n, 0)
FROM keys k
LEFT JOIN acc ON acc.district = k.district AND acc.quarter = k.quarter
LEFT JOIN rej ON rej.district = k.district AND rej.quarter = k.quarter
LEFT JOIN err ON err.district = k.district AND err.quarter = k.quarter
WHERE k.district IS NOT NULL;
