SELECT nextval('submission_id');
