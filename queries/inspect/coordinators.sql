-- The coordinators of one submission as stored.
SELECT row_no, coordinator_id, post, fte::VARCHAR AS fte, fte_raw, fte_cell, pay_grade, pay_grade_raw, start_date, start_cell, end_date
FROM coordinators WHERE submission_id = $1 ORDER BY sheet, row_no;
