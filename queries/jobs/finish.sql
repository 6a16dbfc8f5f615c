UPDATE job_runs SET ended_at = $2, outcome = $3, files = $4, findings = $5, reports = $6, error = $7 WHERE id = $1;
