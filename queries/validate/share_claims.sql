-- Adds to shared_claims (see schema/012_receipt_keys.sql) the positive
-- lines with a receipt key that another positive line of their district and
-- year has too, for the districts and years with an accepted submission
-- stored since the last check (id above claims_shared_through.last_id),
-- leaving out lines it holds already; then moves last_id to the newest
-- submission. The keys come twice are found from the keys alone, and only
-- their lines are read whole. With nothing stored since, there is no
-- district to look at and DuckDB reads no receipt.
INSERT INTO shared_claims
WITH fresh AS (
    SELECT DISTINCT n.district, n.year
    FROM submissions n, claims_shared_through t
    WHERE n.id > t.last_id AND n.outcome = 'accepted'
),
twice AS (
    SELECT s.district, s.year, r.receipt_key
    FROM receipts r JOIN submissions s ON s.id = r.submission_id
    SEMI JOIN fresh f ON f.district = s.district AND f.year = s.year
    WHERE s.outcome = 'accepted' AND r.amount > 0 AND r.receipt_key IS NOT NULL
    GROUP BY ALL
    HAVING count(*) > 1
)
SELECT r.submission_id, r.sheet, r.row_no, r.receipt_no, r.receipt_no_cell, r.amount
FROM receipts r JOIN submissions s ON s.id = r.submission_id
SEMI JOIN twice k ON k.district = s.district AND k.year = s.year AND k.receipt_key = r.receipt_key
ANTI JOIN shared_claims c ON c.submission_id = r.submission_id AND c.sheet = r.sheet AND c.row_no = r.row_no
WHERE s.outcome = 'accepted' AND r.amount > 0;
UPDATE claims_shared_through SET last_id = (SELECT coalesce(max(id), 0) FROM submissions);
