-- id: RECEIPT_MISSING
-- severity: error
-- phase: line
-- message_de: Beleg ohne Belegnummer ({category_de}, {amount}); außer bei Personalkosten ist die Belegnummer Pflicht.
-- message_en: Receipt without a receipt number ({category_en}, {amount}); it is required for all but staff costs.
SELECT r.district, r.year, r.quarter, r.submission_id, r.sheet, r.receipt_no_cell AS cell, r.row_no, r.amount,
       c.name_de AS category_de, c.name_en AS category_en
FROM current_receipts r JOIN cfg_categories c ON c.year = r.year AND c.code = r.category
WHERE NOT c.staff AND (r.receipt_no IS NULL OR trim(r.receipt_no) = '')
