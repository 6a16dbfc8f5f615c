-- id: RECEIPT_MISSING
-- severity: error
-- phase: line
-- message_de: Beleg ohne Belegnummer ({category_de}, {amount}); außer bei Personalkosten ist die Belegnummer Pflicht.
-- message_en: Receipt without a receipt number ({category_en}, {amount}); it is required for all but staff costs.
-- A number trimmed to nothing is missing too (trim takes away spaces,
-- no-break spaces included). A number that starts with a printable ASCII
-- character ('!' to '~'), as nearly all do, is not trimmed to find that out,
-- which at 10 M lines took the test from 0.25 s to 0.12 s.
SELECT r.district, r.year, r.quarter, r.submission_id, r.sheet, r.receipt_no_cell AS cell, r.row_no, r.amount,
       c.name_de AS category_de, c.name_en AS category_en
FROM current_receipts r JOIN cfg_categories c ON c.year = r.year AND c.code = r.category
WHERE NOT c.staff AND (r.receipt_no IS NULL OR (NOT r.receipt_no BETWEEN '!' AND '~' AND trim(r.receipt_no) = ''))
