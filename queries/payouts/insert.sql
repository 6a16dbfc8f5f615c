-- A new imported payout: reference, district, day, amount (exact decimal
-- text), the list's file and row, when it was imported.
INSERT INTO imported_payouts (reference, ags, payout_date, amount, source_file, source_row, imported_at)
VALUES ($1, $2, CAST($3 AS DATE), CAST($4 AS DECIMAL(18,2)), $5, $6, $7);
