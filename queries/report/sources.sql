-- The files of a district and year (quarters $2..$3) as of the run's day:
-- accepted ones received by then, current then or replaced by then.
SELECT s.district, s.id, s.file_name, s.sha256, s.quarter, s.received_local,
       s.id IN (SELECT id FROM current_submissions), s.reader_version
FROM submissions s, (SELECT coalesce(max(as_of), DATE '9999-12-31') AS as_of FROM run_context) c
WHERE s.outcome = 'accepted' AND s.year = $1 AND s.quarter BETWEEN $2 AND $3
  AND CAST(s.received_local AS DATE) <= c.as_of
ORDER BY s.district, s.quarter, s.received_at, s.id;
