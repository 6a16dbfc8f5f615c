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
JOIN submissions s ON s.id = f.submission_id
WHERE f.rule = 'FORMAT'
  AND ((s.outcome = 'accepted' AND s.superseded_by IS NULL)
       OR (s.outcome = 'rejected' AND NOT EXISTS (
              SELECT 1 FROM submissions later
              WHERE later.outcome = 'accepted' AND later.received_at > s.received_at
                AND later.district = coalesce(s.district, s.inbox_district))))
