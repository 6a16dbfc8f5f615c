-- id: PAYMENT_OUTSIDE_QUARTER
-- severity: warning
-- phase: line
-- message_de: {done_de} am {payment_date}, also im {paid_quarter}. Quartal, gemeldet für das {quarter}. Quartal. Bitte im richtigen Quartal melden.
-- message_en: {done_en} on {payment_date}, in quarter {paid_quarter}, but reported for quarter {quarter}. Please report it in its quarter.
-- A receipt paid, or an income received, in another quarter of the year.
-- The receipts' lines are found from their dates first; only those are read
-- again for their cells (10 M lines: 59 -> 53 ms).
WITH outside AS (
    SELECT r.submission_id, r.sheet, r.row_no
    FROM current_receipts r
    WHERE r.payment_date IS NOT NULL AND year(r.payment_date) = r.year AND quarter(r.payment_date) <> r.quarter
)
SELECT r.district, r.year, r.quarter, r.submission_id, r.sheet, r.payment_date_cell AS cell, r.row_no,
       'Gezahlt' AS done_de, 'Paid' AS done_en, r.payment_date, quarter(r.payment_date) AS paid_quarter
FROM current_receipts r SEMI JOIN outside o ON o.submission_id = r.submission_id AND o.sheet = r.sheet AND o.row_no = r.row_no
UNION ALL
SELECT i.district, i.year, i.quarter, i.submission_id, i.sheet, i.date_cell, i.row_no,
       'Eingegangen', 'Received', i.received_date, quarter(i.received_date)
FROM current_income i
WHERE i.received_date IS NOT NULL AND year(i.received_date) = i.year AND quarter(i.received_date) <> i.quarter
