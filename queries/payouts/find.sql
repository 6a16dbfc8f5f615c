-- The payout imported before under a reference ($1), if any.
SELECT reference, ags, payout_date, amount, source_file, source_row, imported_at FROM imported_payouts WHERE reference = $1;
