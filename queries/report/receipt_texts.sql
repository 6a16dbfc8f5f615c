-- The long texts of one district's receipts (see receipts.sql, same
-- arguments), each once, in the order whose row numbers receipts.sql
-- gives; up to Excel's 32,767 characters a cell, all a report can show
-- (the reader takes up to 1 MiB a cell from other writers).
WITH r AS NOT MATERIALIZED (
    SELECT * FROM current_receipts WHERE year = $1 AND quarter BETWEEN $2 AND $3 AND district = $4
)
SELECT left(t, 32767) FROM (
    SELECT payee AS t FROM r WHERE strlen(payee) > 200
    UNION SELECT purpose FROM r WHERE strlen(purpose) > 200
    UNION SELECT receipt_no FROM r WHERE strlen(receipt_no) > 200
    UNION SELECT coordinator_id FROM r WHERE strlen(coordinator_id) > 200
    UNION SELECT category_raw FROM r WHERE strlen(category_raw) > 200)
ORDER BY t;
