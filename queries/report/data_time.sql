-- The reports' timestamp: the latest arrival of a file they draw on, among
-- the files received by the end of the run's day (a report as of a day
-- shows the data as it stood then).
SELECT max(s.received_local)
FROM submissions s, (SELECT coalesce(max(as_of), DATE '9999-12-31') AS as_of FROM run_context) c
WHERE s.year = $1 AND s.quarter <= $2 AND CAST(s.received_local AS DATE) <= c.as_of;
