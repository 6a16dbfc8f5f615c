SELECT rule, severity, coalesce(sheet, ''), coalesce(cell, ''), message_de, message_en
FROM submission_findings
WHERE submission_id = $1
ORDER BY seq;
