-- Each district's documents' timestamp: the latest arrival of a file of
-- the district for year $1 up to quarter $2, among the files received by
-- the end of the run's day (report/data_time.sql is the state's).
SELECT s.district, max(s.received_local)
FROM submissions s, (SELECT coalesce(max(as_of), DATE '9999-12-31') AS as_of FROM run_context) c
WHERE s.year = $1 AND s.quarter <= $2 AND CAST(s.received_local AS DATE) <= c.as_of AND s.district IS NOT NULL
GROUP BY s.district;
