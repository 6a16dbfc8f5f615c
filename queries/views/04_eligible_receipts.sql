-- Receipts that pass every line rule: what the grant is computed from, and
-- the one definition of an eligible line (reports and exports ask this view).
-- Eligible: in a current submission, with an amount, a known category and a
-- payment date, and no error finding on its row from a line rule of the
-- current run (run_line_errors) or from reading the file. A run sums them
-- into the table eligible_sums once its line rules are done (see
-- validate/refresh_eligible.sql).
CREATE OR REPLACE VIEW eligible_receipts AS
SELECT r.submission_id, r.sheet, r.row_no, r.district, r.year, r.quarter, r.category, r.amount, r.payment_date
FROM current_receipts r
WHERE r.amount IS NOT NULL AND r.category IS NOT NULL AND r.payment_date IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM run_line_errors e WHERE e.submission_id = r.submission_id AND e.row_no = r.row_no AND e.sheet = r.sheet)
  -- A line error of a rule that names no sheet counts on every sheet (two
  -- tests, not one with OR: each stays a hash anti-join).
  AND NOT EXISTS (SELECT 1 FROM run_line_errors e WHERE e.submission_id = r.submission_id AND e.row_no = r.row_no AND e.sheet IS NULL)
  AND NOT EXISTS (SELECT 1 FROM submission_findings f
                  WHERE f.submission_id = r.submission_id AND f.row_no = r.row_no
                    AND f.sheet = r.sheet AND f.severity = 'error');
