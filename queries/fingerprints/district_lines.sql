-- Per district and quarter of year $1, a text standing for the lines its
-- reports show: the current submissions (their ids stand for their
-- lines, written once), and which receipts are eligible and which income
-- lines count (the validation run decides). Same views as the reports'
-- queries (report/receipts.sql, report/income.sql), so whatever changes
-- what a report lists changes this text.
WITH cur AS (
    SELECT district, quarter, string_agg(id::VARCHAR, ',' ORDER BY id) AS ids
    FROM current_submissions WHERE year = $1 GROUP BY ALL
), el AS (
    SELECT district, quarter, count(*) || ':' || sum(hash(submission_id, sheet, row_no)) AS h
    FROM eligible_receipts WHERE year = $1 GROUP BY ALL
), inc AS (
    SELECT district, quarter, count(*) || ':' || sum(hash(submission_id, sheet, row_no)) AS h
    FROM counted_income WHERE year = $1 GROUP BY ALL
)
SELECT cur.district, cur.quarter, concat_ws('|', cur.ids, coalesce(el.h, ''), coalesce(inc.h, ''))
FROM cur
LEFT JOIN el ON el.district = cur.district AND el.quarter = cur.quarter
LEFT JOIN inc ON inc.district = cur.district AND inc.quarter = cur.quarter
ORDER BY 1, 2;
