-- The narrative paragraphs of one submission.
SELECT cell, paragraph FROM narrative WHERE submission_id = $1 ORDER BY sheet, row_no;
