-- Every finding of run $1 in the run's order, as validate.Result holds
-- them: a check skipped because nothing changed answers with its run.
SELECT rule, severity, coalesce(district, ''), coalesce(year, 0), coalesce(quarter, 0), coalesce(submission_id, 0),
       coalesce(file, ''), coalesce(sheet, ''), coalesce(cell, ''), coalesce(row_no, 0), message_de, message_en
FROM findings
WHERE run_id = $1
ORDER BY seq;
