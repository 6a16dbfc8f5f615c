-- The configuration and run context are rewritten at the start of every run.
DELETE FROM cfg_years;
DELETE FROM cfg_deadlines;
DELETE FROM cfg_categories;
DELETE FROM cfg_districts;
DELETE FROM cfg_plan;
DELETE FROM cfg_payouts;
DELETE FROM cfg_base_rates;
DELETE FROM run_context;
DELETE FROM run_line_errors;
