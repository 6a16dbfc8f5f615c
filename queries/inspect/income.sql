-- The income lines of one submission as stored.
SELECT row_no, line_no, income_type, type_raw, type_cell, received_date, date_raw, date_cell, source, purpose, amount::VARCHAR AS amount, amount_raw, amount_cell
FROM income WHERE submission_id = $1 ORDER BY sheet, row_no;
