-- id: FORMAT
-- severity: error
-- phase: line
-- message_de: {message_de}
-- message_en: {message_en}
-- What the reader could not read with certainty, found at ingest, for the
-- submissions that count (and rejected files not yet replaced).
SELECT s.district, s.year, s.quarter, s.id AS submission_id, f.sheet, f.cell, f.row_no,
       f.severity, f.message_de, f.message_en
FROM submission_findings f
JOIN (SELECT * FROM current_submissions UNION ALL SELECT * FROM open_rejections) s ON s.id = f.submission_id
WHERE f.rule = 'FORMAT'
