INSERT INTO findings (run_id, seq, rule, severity, district, year, quarter, submission_id, file, sheet, cell, row_no, message_de, message_en)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14);
