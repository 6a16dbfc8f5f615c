-- id: CATEGORY
-- severity: error
-- phase: line
-- message_de: Die Kostenart „{category_raw}“ gibt es nicht. Zulässig sind: {valid_de}.
-- message_en: There is no cost category “{category_raw}”. Allowed: {valid_en}.
SELECT r.district, r.year, r.quarter, r.submission_id, r.sheet, r.category_cell AS cell, r.row_no,
       r.category_raw,
       (SELECT string_agg(name_de, ', ' ORDER BY ord) FROM cfg_categories c WHERE c.year = r.year) AS valid_de,
       (SELECT string_agg(name_en, ', ' ORDER BY ord) FROM cfg_categories c WHERE c.year = r.year) AS valid_en
FROM current_receipts r
WHERE r.category IS NULL AND r.category_raw IS NOT NULL
