-- The income lines of one district ($4) in the current submissions,
-- quarters $2..$3 of year $1, in order of the day received, with
-- provenance and whether the line counts (lowers the grant: see
-- views/11_counted_income.sql). Texts are cut at 300 characters (the
-- reports show no more of a cell; the workbook the district sent has the
-- whole text).
WITH counted AS (
    SELECT DISTINCT submission_id, sheet, row_no FROM counted_income
    WHERE year = $1 AND quarter BETWEEN $2 AND $3 AND district = $4
)
SELECT i.quarter, coalesce(i.income_type, ''), left(coalesce(i.type_raw, ''), 300), i.received_date,
       CASE WHEN strlen(i.source) > 300 THEN left(i.source, 299) || '…' ELSE coalesce(i.source, '') END,
       CASE WHEN strlen(i.purpose) > 300 THEN left(i.purpose, 299) || '…' ELSE coalesce(i.purpose, '') END,
       i.amount, c.row_no IS NOT NULL, i.file_name, i.sheet, coalesce(i.amount_cell, '')
FROM current_income i
LEFT JOIN counted c ON c.submission_id = i.submission_id AND c.sheet = i.sheet AND c.row_no = i.row_no
WHERE i.year = $1 AND i.quarter BETWEEN $2 AND $3 AND i.district = $4
ORDER BY i.received_date NULLS LAST, i.submission_id, i.row_no;
