-- id: FTE
-- severity: error
-- message_de: {reason_de}
-- message_en: {reason_en}
SELECT s.district, s.year, s.quarter, c.submission_id, c.sheet, c.fte_cell AS cell, c.row_no,
       'VZÄ ' || replace(rtrim(rtrim(CAST(c.fte AS VARCHAR), '0'), '.'), '.', ',') || ' für „' || coalesce(c.coordinator_id, '?') || '“ liegt nicht zwischen 0 (ausschließlich) und 1.' AS reason_de,
       'FTE ' || rtrim(rtrim(CAST(c.fte AS VARCHAR), '0'), '.') || ' for “' || coalesce(c.coordinator_id, '?') || '” is not above 0 and at most 1.' AS reason_en
FROM coordinators c JOIN current_submissions s ON s.id = c.submission_id
WHERE c.fte <= 0 OR c.fte > 1
UNION ALL
SELECT s.district, s.year, s.quarter, c.submission_id, c.sheet, c.end_cell, c.row_no,
       'Ende ' || strftime(c.end_date, '%d.%m.%Y') || ' liegt vor dem Beginn ' || strftime(c.start_date, '%d.%m.%Y') || ' („' || coalesce(c.coordinator_id, '?') || '“).',
       'End ' || strftime(c.end_date, '%Y-%m-%d') || ' is before the start ' || strftime(c.start_date, '%Y-%m-%d') || ' (“' || coalesce(c.coordinator_id, '?') || '”).'
FROM coordinators c JOIN current_submissions s ON s.id = c.submission_id
WHERE c.end_date < c.start_date
