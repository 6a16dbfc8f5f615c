-- id: CATEGORY
-- severity: error
-- phase: line
-- message_de: {kind_de} „{category_raw}“ gibt es nicht. Zulässig sind: {valid_de}.
-- message_en: There is no {kind_en} “{category_raw}”. Allowed: {valid_en}.
-- A receipt's cost category, or an income's type (Art on the Einnahmen
-- sheet). The income types are not among the configuration tables the
-- rules read, so for them the message names the form's list.
SELECT r.district, r.year, r.quarter, r.submission_id, r.sheet, r.category_cell AS cell, r.row_no,
       'Die Kostenart' AS kind_de, 'cost category' AS kind_en, r.category_raw,
       (SELECT string_agg(name_de, ', ' ORDER BY ord) FROM cfg_categories c WHERE c.year = r.year) AS valid_de,
       (SELECT string_agg(name_en, ', ' ORDER BY ord) FROM cfg_categories c WHERE c.year = r.year) AS valid_en
FROM current_receipts r
WHERE r.category IS NULL AND r.category_raw IS NOT NULL
UNION ALL
SELECT i.district, i.year, i.quarter, i.submission_id, i.sheet, i.type_cell, i.row_no,
       'Die Art der Einnahme', 'income type', i.type_raw,
       'die Arten der Auswahlliste in der Spalte „Art“ des Blattes „Einnahmen“',
       'the types of the drop-down list in the column “Type” of the sheet “Income”'
FROM current_income i
WHERE i.income_type IS NULL AND i.type_raw IS NOT NULL
