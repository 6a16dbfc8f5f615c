-- The latest $1 runs of every job, scheduled, by hand or started from the
-- web, newest first.
SELECT id, job, trigger, started_at, ended_at, outcome, files, findings, reports, coalesce(error, '')
FROM job_runs
ORDER BY id DESC
LIMIT $1;
