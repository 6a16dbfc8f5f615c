-- The files of a district and year (quarters $2..$3): accepted ones, current or replaced.
SELECT s.district, s.id, s.file_name, s.sha256, s.quarter, s.received_local, s.superseded_by IS NULL, s.reader_version
FROM submissions s
WHERE s.outcome = 'accepted' AND s.year = $1 AND s.quarter BETWEEN $2 AND $3
ORDER BY s.district, s.quarter, s.received_at, s.id;
