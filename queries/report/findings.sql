-- The findings of a run for a year and quarters $3..$4, in the run's order.
SELECT rule, severity, coalesce(district, ''), coalesce(quarter, 0), coalesce(file, ''), coalesce(sheet, ''), coalesce(cell, ''),
       message_de, message_en
FROM findings
WHERE run_id = $1 AND (year = $2 OR year IS NULL) AND (quarter IS NULL OR quarter BETWEEN $3 AND $4)
ORDER BY seq;
