-- The income that lowers the grant: the income lines of the current
-- submissions (current_income) that could be read (amount, type and date)
-- and have no error finding on their row, from a line rule of the current
-- run or from reading the file — the same test as eligible_receipts, so an
-- income line in error is left out until the district corrects it (and the
-- error is shown at its cell). Anti-joins, as in eligible_receipts, which says
-- why.
CREATE OR REPLACE VIEW counted_income AS
SELECT i.submission_id, i.sheet, i.row_no, i.district, i.year, i.quarter, i.income_type, i.received_date, i.amount
FROM current_income i
ANTI JOIN (SELECT submission_id, row_no, sheet FROM run_line_errors WHERE sheet IS NOT NULL
           UNION ALL
           SELECT submission_id, row_no, sheet FROM submission_findings WHERE severity = 'error') e
     ON e.submission_id = i.submission_id AND e.row_no = i.row_no AND e.sheet = i.sheet
ANTI JOIN (SELECT submission_id, row_no FROM run_line_errors WHERE sheet IS NULL) n
     ON n.submission_id = i.submission_id AND n.row_no = i.row_no
WHERE i.amount IS NOT NULL AND i.income_type IS NOT NULL AND i.received_date IS NOT NULL;
