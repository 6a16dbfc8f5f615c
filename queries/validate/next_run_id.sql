SELECT nextval('validation_run_id');
