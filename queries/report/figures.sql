-- The grant computation of a run, up to a quarter (0: the year as of the run's day).
SELECT district, approved::VARCHAR, eligible::VARCHAR, fundable::VARCHAR, paid::VARCHAR, balance::VARCHAR, interest_at_risk::VARCHAR
FROM grant_figures WHERE run_id = $1 AND year = $2 AND through_quarter = $3;
