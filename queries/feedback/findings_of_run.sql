-- What districts hear about each file whose findings come from validation
-- run $1: feedback/findings.sql for every file at once (the caller keeps
-- the files whose latest counting run is $1), in each file's order. One
-- query per run instead of one per file: at 100 districts, 400 queries
-- were most of a feedback step that made two workbooks.
SELECT submission_id, rule, severity, coalesce(sheet, ''), coalesce(cell, ''), message_de, message_en, 0 AS ord, seq
FROM submission_findings
WHERE rule NOT IN ('FORMAT', 'FEEDBACK')
UNION ALL
SELECT s.submission_id, s.rule, s.severity, coalesce(s.sheet, ''), coalesce(s.cell, ''), s.message_de, s.message_en, 0, s.seq
FROM submission_findings s
WHERE s.rule = 'FORMAT'
  AND NOT EXISTS (SELECT 1 FROM findings f WHERE f.run_id = $1 AND f.submission_id = s.submission_id AND f.rule = 'FORMAT')
UNION ALL
SELECT submission_id, rule, severity, coalesce(sheet, ''), coalesce(cell, ''), message_de, message_en, 1, seq
FROM findings
WHERE run_id = $1 AND submission_id IS NOT NULL
ORDER BY 1, 8, 9;
