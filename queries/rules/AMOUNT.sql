-- id: AMOUNT
-- severity: error
-- phase: line
-- message_de: {reason_de}
-- message_en: {reason_en}
-- A zero amount, or a negative one that corrects no receipt: a correction
-- carries the receipt number of an earlier positive line of the same
-- district and year that is at least as large. On the Einnahmen sheet only
-- a zero amount: a negative income is a refund of earlier income, which
-- raises the grant again and needs no reference.
SELECT r.district, r.year, r.quarter, r.submission_id, r.sheet, r.amount_cell AS cell, r.row_no,
       CASE WHEN r.amount = 0 THEN 'Der Betrag ist 0,00 €; eine Zeile ohne Betrag gehört nicht in die Belegliste.'
            ELSE 'Negativer Betrag ' || replace(replace(replace(format('{:,.2f}', r.amount), ',', '#'), '.', ','), '#', '.') || ' € ohne Beleg, den er berichtigt: eine Korrektur braucht die Belegnummer der ursprünglichen Zeile.' END AS reason_de,
       CASE WHEN r.amount = 0 THEN 'The amount is 0.00 EUR; a line without an amount does not belong in the list.'
            ELSE 'Negative amount EUR ' || format('{:,.2f}', r.amount) || ' that corrects no receipt: a correction needs the receipt number of the original line.' END AS reason_en
FROM current_receipts r
WHERE r.amount = 0
   OR (r.amount < 0 AND NOT EXISTS (
        SELECT 1 FROM current_receipts o
        WHERE o.district = r.district AND o.year = r.year AND o.amount >= -r.amount
          AND lower(trim(o.receipt_no)) = lower(trim(r.receipt_no))))
UNION ALL
SELECT i.district, i.year, i.quarter, i.submission_id, i.sheet, i.amount_cell, i.row_no,
       'Der Betrag ist 0,00 €; eine Zeile ohne Betrag gehört nicht auf das Blatt „Einnahmen“.',
       'The amount is 0.00 EUR; a line without an amount does not belong on the income sheet.'
FROM current_income i
WHERE i.amount = 0
