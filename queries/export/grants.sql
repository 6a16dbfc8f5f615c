-- The grant figures of the latest validation run (through_quarter 0: the
-- year as of the run's day; 1–4: cumulative to that quarter's end).
COPY (
    SELECT g.run_id, g.year, g.district, g.through_quarter, g.approved, g.eligible, g.income, g.planned_income, g."grant",
           g.paid, g.balance, g.interest_at_risk AS interest, g.settled, v.as_of, v.rule_set
    FROM grant_figures g JOIN validation_runs v ON v.id = g.run_id
    WHERE g.run_id = (SELECT max(id) FROM validation_runs)
) TO {dir} (FORMAT PARQUET, PARTITION_BY (year, district), OVERWRITE_OR_IGNORE);
