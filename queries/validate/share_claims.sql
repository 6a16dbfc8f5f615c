-- Adds to shared_claims (see schema/012_receipt_keys.sql) the positive
-- lines with a receipt key that another positive line of their district and
-- year has too, for the districts and years with an accepted submission
-- stored since the last check (id above claims_shared_through.last_id),
-- leaving out lines it holds already; then moves last_id to the newest
-- submission. With nothing stored since, the semi join has nothing to join
-- and DuckDB reads no receipt.
INSERT INTO shared_claims
SELECT x.submission_id, x.sheet, x.row_no, x.receipt_no, x.receipt_no_cell, x.amount
FROM (SELECT r.submission_id, r.sheet, r.row_no, r.receipt_no, r.receipt_no_cell, r.amount
      FROM receipts r JOIN submissions s ON s.id = r.submission_id
      SEMI JOIN (SELECT DISTINCT n.district, n.year
                 FROM submissions n, claims_shared_through t
                 WHERE n.id > t.last_id AND n.outcome = 'accepted') d
           ON d.district = s.district AND d.year = s.year
      WHERE s.outcome = 'accepted' AND r.amount > 0 AND r.receipt_key IS NOT NULL
      QUALIFY count(*) OVER (PARTITION BY s.district, s.year, r.receipt_key) > 1) x
ANTI JOIN shared_claims c ON c.submission_id = x.submission_id AND c.sheet = x.sheet AND c.row_no = x.row_no;
UPDATE claims_shared_through SET last_id = (SELECT coalesce(max(id), 0) FROM submissions);
