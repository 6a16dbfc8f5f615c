-- The activities of one submission as stored.
SELECT row_no, activity_date, date_cell, activity_type, type_raw, title, participants, partners
FROM activities WHERE submission_id = $1 ORDER BY sheet, row_no;
