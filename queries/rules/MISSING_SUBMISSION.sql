-- id: MISSING_SUBMISSION
-- severity: warning
-- message_de: Für das {quarter}. Quartal {year} liegt keine angenommene Meldung vor; die Frist endete am {deadline}.
-- message_en: No accepted submission for quarter {quarter} of {year}; the deadline was {deadline}.
SELECT d.ags AS district, d.year, dl.quarter, CAST(NULL AS BIGINT) AS submission_id,
       CAST(NULL AS VARCHAR) AS sheet, CAST(NULL AS VARCHAR) AS cell, CAST(NULL AS INTEGER) AS row_no,
       dl.deadline
FROM cfg_districts d
JOIN cfg_deadlines dl ON dl.year = d.year, run_context c
WHERE dl.deadline < c.as_of
  AND NOT EXISTS (SELECT 1 FROM current_submissions s
                  WHERE s.district = d.ags AND s.year = d.year AND s.quarter = dl.quarter)
