-- id: CTE_WINDOW
-- severity: info
-- message_de: Größte Ausgabe des Quartals: {amount} (vorher {previous}).
-- message_en: Largest payment of the quarter: {amount} (before {previous}).
WITH ranked AS (
    SELECT r.*, row_number() OVER (PARTITION BY submission_id ORDER BY amount DESC) AS n,
           lag(amount) OVER (PARTITION BY submission_id ORDER BY row_no) AS previous
    FROM current_receipts r
),
top AS (SELECT * FROM ranked WHERE n = 1)
SELECT district, year, quarter, submission_id, sheet, amount_cell AS cell, row_no, amount, previous
FROM top
