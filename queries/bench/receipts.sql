-- Benchmark data: $1 receipts spread over submissions 1..$2, straight into
-- the table (what reading workbooks would store), realistic in shape:
-- categories, dates within each submission's quarter, a few problems: about
-- one line in a thousand repeats the receipt number of the line before it,
-- which is in the submission before (mostly an earlier quarter of the same
-- district), as a receipt claimed twice.
INSERT INTO receipts (submission_id, sheet, row_no, line_no, category, category_raw, category_cell, invoice_date, payment_date,
                      payment_date_cell, payee, purpose, amount, amount_raw, amount_cell, receipt_no, receipt_no_cell, coordinator_id)
SELECT s.id, 'Belegliste', CAST(r.i // $2 + 2 AS INTEGER), r.i // $2 + 1,
       c.code, c.code, 'B' || (r.i // $2 + 2),
       make_date(2026, 3 * s.quarter - 2, 1) + CAST(r.i % 88 AS INTEGER),
       make_date(2026, 3 * s.quarter - 2, 1) + CAST(r.i % 88 AS INTEGER) + 2,
       'D' || (r.i // $2 + 2), 'Empfänger ' || (r.i % 97), 'Zweck',
       CAST((1000 + (r.i * 7919) % 50000) / 100.0 AS DECIMAL(18,2)), '', 'G' || (r.i // $2 + 2),
       CASE WHEN c.code = 'PERS' THEN NULL WHEN r.i % 1009 = 5 THEN 'B-' || (r.i - 1) ELSE 'B-' || r.i END, 'H' || (r.i // $2 + 2),
       CASE WHEN c.code = 'PERS' THEN s.district || '-1' END
FROM range($1) r(i)
JOIN submissions s ON s.id = 1 + r.i % $2
JOIN (SELECT code, row_number() OVER () - 1 AS k FROM (VALUES ('PERS'), ('REISE'), ('FORTB'), ('VERANST'), ('SACH'), ('DOLM')) v(code)) c
  ON c.k = r.i % 6;
