-- id: DISTRICT_UNKNOWN
-- severity: error
-- phase: line
-- message_de: {message_de}
-- message_en: {message_en}
-- Found at ingest; the file was rejected. Shown until an accepted submission
-- from the same district arrives after it.
SELECT s.district, s.year, s.quarter, s.id AS submission_id, f.sheet, f.cell, f.row_no,
       f.message_de, f.message_en
FROM submission_findings f
JOIN open_rejections s ON s.id = f.submission_id
WHERE f.rule = 'DISTRICT_UNKNOWN'
