-- What a district hears about its files: each file's reading findings, and
-- the findings of validation run $1 that point into it (the latest run, or
-- for a replaced file the latest in which it counted; see
-- submissions.sql), in each file's order. $2 is one file's submission id,
-- or NULL for every file (the caller keeps those whose run is $1: one
-- query per run rather than one per file). The file's FEEDBACK finding
-- (its findings could not be marked in it) is left out: the feedback step
-- makes it afresh on every run.
SELECT submission_id, rule, severity, coalesce(sheet, ''), coalesce(cell, ''), message_de, message_en, 0 AS ord, seq
FROM submission_findings
WHERE ($2::BIGINT IS NULL OR submission_id = $2) AND rule NOT IN ('FORMAT', 'FEEDBACK')
UNION ALL
SELECT s.submission_id, s.rule, s.severity, coalesce(s.sheet, ''), coalesce(s.cell, ''), s.message_de, s.message_en, 0, s.seq
FROM submission_findings s
WHERE ($2::BIGINT IS NULL OR s.submission_id = $2) AND s.rule = 'FORMAT'
  AND NOT EXISTS (SELECT 1 FROM findings f WHERE f.run_id = $1 AND f.submission_id = s.submission_id AND f.rule = 'FORMAT')
UNION ALL
SELECT submission_id, rule, severity, coalesce(sheet, ''), coalesce(cell, ''), message_de, message_en, 1, seq
FROM findings
WHERE run_id = $1 AND submission_id IS NOT NULL AND ($2::BIGINT IS NULL OR submission_id = $2)
ORDER BY 1, 8, 9;
