-- Every file ingested, accepted or rejected, oldest first, with where its
-- bytes are stored (which names its feedback workbook), the validation run
-- whose findings its feedback shows, and the file that replaced it.
--
-- A file that counts (and a rejected one) shows the latest run. A replaced
-- file shows the latest run in which it still counted: one that started
-- after it was read and before its replacement was, and that checked its
-- period; 0 when there was none (it was replaced before any check saw it),
-- which leaves its reading findings.
WITH latest AS (SELECT coalesce(max(id), 0) AS id FROM validation_runs)
SELECT s.id, s.file_name, s.stored_path, s.outcome = 'accepted', s.received_local, s.received_at,
       CASE WHEN s.superseded_by IS NULL THEN latest.id
            ELSE coalesce((SELECT max(v.id) FROM validation_runs v
                           WHERE v.started_at >= s.ingested_at AND v.started_at < r.ingested_at
                             AND (v.year IS NULL OR v.year = s.year)
                             AND (v.quarter IS NULL OR v.quarter = s.quarter)), 0)
       END AS findings_run,
       r.id IS NOT NULL, coalesce(r.file_name, ''), coalesce(r.received_at, s.received_at)
FROM submissions s
CROSS JOIN latest
LEFT JOIN submissions r ON r.id = s.superseded_by
ORDER BY s.received_at, s.id;
