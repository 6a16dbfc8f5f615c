-- id: LATE_SUBMISSION
-- severity: info
-- message_de: Eingegangen am {received}, nach der Frist am {deadline} (Verspätung: {days} Kalendertag(e)).
-- message_en: Received on {received}, after the deadline of {deadline} (late by {days} calendar day(s)).
SELECT s.district, s.year, s.quarter, s.id AS submission_id, CAST(NULL AS VARCHAR) AS sheet, CAST(NULL AS VARCHAR) AS cell,
       CAST(NULL AS INTEGER) AS row_no, CAST(s.received_local AS DATE) AS received, dl.deadline,
       date_diff('day', dl.deadline, CAST(s.received_local AS DATE)) AS days
FROM current_submissions s
JOIN cfg_deadlines dl ON dl.year = s.year AND dl.quarter = s.quarter
WHERE CAST(s.received_local AS DATE) > dl.deadline
