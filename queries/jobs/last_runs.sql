-- The last run of each job, per trigger: a job started by hand does not
-- hide when the schedule last ran it.
SELECT job, trigger, started_at, ended_at, outcome, files, findings, reports, coalesce(error, '')
FROM job_runs
QUALIFY row_number() OVER (PARTITION BY job, trigger ORDER BY id DESC) = 1
ORDER BY job, trigger;
