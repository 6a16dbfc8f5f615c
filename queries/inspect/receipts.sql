-- The receipts of one submission as stored, with the cell of every value.
SELECT row_no, line_no, category, category_raw, invoice_date, invoice_date_cell, payment_date, payment_date_cell,
       payee, purpose, amount::VARCHAR AS amount, amount_raw, amount_cell, receipt_no, coordinator_id
FROM receipts WHERE submission_id = $1 ORDER BY sheet, row_no;
