-- The grant computation of a run, up to a quarter (0: the year as of the run's day).
SELECT district, approved, eligible, income, planned_income, "grant", paid, balance, interest_at_risk, settled
FROM grant_figures WHERE run_id = $1 AND year = $2 AND through_quarter = $3;
