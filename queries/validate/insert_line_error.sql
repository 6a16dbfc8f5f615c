INSERT INTO run_line_errors (submission_id, row_no) VALUES ($1, $2);
