-- id: PAYMENT_OUTSIDE_YEAR
-- severity: error
-- phase: line
-- message_de: {done_de} am {payment_date}, außerhalb des Haushaltsjahres {year}; {rule_de} ({amount}).
-- message_en: {done_en} on {payment_date}, outside the budget year {year}; {rule_en} ({amount}).
-- A receipt paid, or an income received, outside the budget year. The
-- receipts' lines are found from their dates first; only those are read
-- again for their cells (10 M lines: 51 -> 39 ms).
WITH outside AS (
    SELECT r.submission_id, r.sheet, r.row_no
    FROM current_receipts r
    WHERE r.payment_date IS NOT NULL AND year(r.payment_date) <> r.year
)
SELECT r.district, r.year, r.quarter, r.submission_id, r.sheet, r.payment_date_cell AS cell, r.row_no,
       'Gezahlt' AS done_de, 'Paid' AS done_en, r.payment_date, r.amount,
       'nur Zahlungen vom 1. Januar bis 31. Dezember sind zuwendungsfähig' AS rule_de,
       'only payments from 1 January to 31 December are eligible' AS rule_en
FROM current_receipts r SEMI JOIN outside o ON o.submission_id = r.submission_id AND o.sheet = r.sheet AND o.row_no = r.row_no
UNION ALL
SELECT i.district, i.year, i.quarter, i.submission_id, i.sheet, i.date_cell, i.row_no,
       'Eingegangen', 'Received', i.received_date, i.amount,
       'eine Einnahme gehört in die Meldungen des Jahres, in dem sie einging',
       'an income belongs in the submissions of the year it was received in'
FROM current_income i
WHERE i.received_date IS NOT NULL AND year(i.received_date) <> i.year
