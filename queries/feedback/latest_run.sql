SELECT coalesce(max(id), 0) FROM validation_runs;
