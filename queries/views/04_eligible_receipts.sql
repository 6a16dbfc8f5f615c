-- Receipts that pass every line rule: what the grant is computed from, and
-- the one definition of an eligible line (reports and exports ask this view).
-- Eligible: in a current submission, with an amount, a known category and a
-- payment date, and no error finding on its row from a line rule of the
-- current run (run_line_errors) or from reading the file. A run sums them
-- into the table eligible_sums once its line rules are done (see
-- validate/refresh_eligible.sql).
--
-- The lines in error are taken away by uncorrelated anti-joins: each builds
-- a hash table of the few lines in error and probes it once per receipt.
-- Written as NOT EXISTS (…) the same test made DuckDB first collect every
-- distinct (submission, sheet, row) of the receipts for each subquery, three
-- hash aggregates of every receipt (22 s of a 10 M line run instead of
-- well under one). The errors of a line rule and of reading the file that
-- name their sheet are one build side; a line error that names no sheet
-- counts on every sheet of its row, so it is a second anti-join on the row
-- alone (not an OR in one condition: each stays a hash join).
CREATE OR REPLACE VIEW eligible_receipts AS
SELECT r.submission_id, r.sheet, r.row_no, r.district, r.year, r.quarter, r.category, r.amount, r.payment_date
FROM current_receipts r
ANTI JOIN (SELECT submission_id, row_no, sheet FROM run_line_errors WHERE sheet IS NOT NULL
           UNION ALL
           SELECT submission_id, row_no, sheet FROM submission_findings WHERE severity = 'error') e
     ON e.submission_id = r.submission_id AND e.row_no = r.row_no AND e.sheet = r.sheet
ANTI JOIN (SELECT submission_id, row_no FROM run_line_errors WHERE sheet IS NULL) n
     ON n.submission_id = r.submission_id AND n.row_no = r.row_no
WHERE r.amount IS NOT NULL AND r.category IS NOT NULL AND r.payment_date IS NOT NULL;
