-- id: RESUBMISSION
-- severity: info
-- message_de: Ersetzt die Meldung „{earlier_file}“ vom {earlier_received} (beide bleiben gespeichert).
-- message_en: Replaces the submission “{earlier_file}” of {earlier_received} (both are kept).
-- The earlier files are the other accepted ones of the district and quarter
-- received by the run's day: a file current then may have been replaced
-- since, and superseded_by points at the latest, so it cannot tell.
SELECT s.district, s.year, s.quarter, s.id AS submission_id, CAST(NULL AS VARCHAR) AS sheet, CAST(NULL AS VARCHAR) AS cell,
       CAST(NULL AS INTEGER) AS row_no, o.file_name AS earlier_file, CAST(o.received_local AS DATE) AS earlier_received
FROM current_submissions s
CROSS JOIN run_context c
JOIN submissions o ON o.outcome = 'accepted' AND o.district = s.district AND o.year = s.year AND o.quarter = s.quarter
                  AND o.id <> s.id AND CAST(o.received_local AS DATE) <= c.as_of
