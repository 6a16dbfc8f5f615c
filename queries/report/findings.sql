-- The findings of a run for a year and quarters $3..$4, in the run's order.
SELECT rule, severity, coalesce(district, ''), coalesce(quarter, 0), coalesce(file, ''), coalesce(sheet, ''), coalesce(cell, ''),
       left(message_de, 32767), left(message_en, 32767) -- a message may quote a cell: Excel's limit a cell
FROM findings
WHERE run_id = $1 AND (year = $2 OR year IS NULL) AND (quarter IS NULL OR quarter BETWEEN $3 AND $4)
ORDER BY seq;
