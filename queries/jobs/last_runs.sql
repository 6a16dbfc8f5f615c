-- The last run of each job.
SELECT job, trigger, started_at, ended_at, outcome, files, findings, reports, coalesce(error, '')
FROM job_runs
QUALIFY row_number() OVER (PARTITION BY job ORDER BY id DESC) = 1
ORDER BY job;
