-- A file already ingested with these exact bytes.
SELECT id, outcome, stored_path, coalesce(district, ''), coalesce(year, 0), coalesce(quarter, 0)
FROM submissions
WHERE sha256 = $1;
