-- id: RESUBMISSION
-- severity: info
-- message_de: Ersetzt die Meldung „{earlier_file}“ vom {earlier_received} (beide bleiben gespeichert).
-- message_en: Replaces the submission “{earlier_file}” of {earlier_received} (both are kept).
SELECT s.district, s.year, s.quarter, s.id AS submission_id, CAST(NULL AS VARCHAR) AS sheet, CAST(NULL AS VARCHAR) AS cell,
       CAST(NULL AS INTEGER) AS row_no, o.file_name AS earlier_file, CAST(o.received_local AS DATE) AS earlier_received
FROM current_submissions s
JOIN submissions o ON o.superseded_by = s.id
