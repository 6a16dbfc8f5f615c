INSERT INTO job_runs (id, job, trigger, started_at, outcome) VALUES (nextval('job_run_id'), $1, $2, $3, 'running') RETURNING id;
