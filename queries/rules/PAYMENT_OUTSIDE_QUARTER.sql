-- id: PAYMENT_OUTSIDE_QUARTER
-- severity: warning
-- phase: line
-- message_de: Gezahlt am {payment_date}, also im {paid_quarter}. Quartal, gemeldet für das {quarter}. Quartal. Bitte im richtigen Quartal melden.
-- message_en: Paid on {payment_date}, in quarter {paid_quarter}, but reported for quarter {quarter}. Please report it in its quarter.
SELECT r.district, r.year, r.quarter, r.submission_id, r.sheet, r.payment_date_cell AS cell, r.row_no,
       r.payment_date, quarter(r.payment_date) AS paid_quarter
FROM current_receipts r
WHERE r.payment_date IS NOT NULL AND year(r.payment_date) = r.year AND quarter(r.payment_date) <> r.quarter
