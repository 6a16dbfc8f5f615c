-- Activities of the current submissions, quarters $2..$3, per district and type.
SELECT s.district, a.activity_type, count(*), coalesce(sum(a.participants), 0)
FROM activities a JOIN current_submissions s ON s.id = a.submission_id
WHERE s.year = $1 AND s.quarter BETWEEN $2 AND $3 AND a.activity_type IS NOT NULL
GROUP BY s.district, a.activity_type;
