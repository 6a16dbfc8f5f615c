-- What a district hears about one file ($1): the reading findings, and the
-- findings of validation run $2 that point into it (the latest run, or for
-- a replaced file the latest in which it counted; see submissions.sql). The file's
-- FEEDBACK finding (its findings could not be marked in it) is left out:
-- the feedback step makes it afresh on every run.
SELECT rule, severity, coalesce(sheet, ''), coalesce(cell, ''), message_de, message_en, 0 AS ord, seq
FROM submission_findings
WHERE submission_id = $1 AND rule NOT IN ('FORMAT', 'FEEDBACK')
UNION ALL
SELECT rule, severity, coalesce(sheet, ''), coalesce(cell, ''), message_de, message_en, 0, seq
FROM submission_findings
WHERE submission_id = $1 AND rule = 'FORMAT'
  AND NOT EXISTS (SELECT 1 FROM findings f WHERE f.run_id = $2 AND f.submission_id = $1 AND f.rule = 'FORMAT')
UNION ALL
SELECT rule, severity, coalesce(sheet, ''), coalesce(cell, ''), message_de, message_en, 1, seq
FROM findings
WHERE run_id = $2 AND submission_id = $1
ORDER BY 7, 8;
