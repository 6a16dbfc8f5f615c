-- id: PAYMENT_OUTSIDE_YEAR
-- severity: error
-- phase: line
-- message_de: Gezahlt am {payment_date}, außerhalb des Haushaltsjahres {year}; nur Zahlungen vom 1. Januar bis 31. Dezember sind zuwendungsfähig ({amount}).
-- message_en: Paid on {payment_date}, outside the budget year {year}; only payments from 1 January to 31 December are eligible ({amount}).
SELECT r.district, r.year, r.quarter, r.submission_id, r.sheet, r.payment_date_cell AS cell, r.row_no,
       r.payment_date, r.amount
FROM current_receipts r
WHERE r.payment_date IS NOT NULL AND year(r.payment_date) <> r.year
