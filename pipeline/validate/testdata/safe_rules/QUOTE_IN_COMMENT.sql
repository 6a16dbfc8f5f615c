-- id: QUOTE_IN_COMMENT
-- severity: info
-- message_de: Reisekosten von {amount}.
-- message_en: Travel costs of {amount}.
-- Comments may hold quotes and semicolons: the analyst's note; and "this".
SELECT district, year, quarter, submission_id, sheet, amount_cell AS cell, row_no, amount
FROM current_receipts /* the district's travel; don't count staff */
WHERE category = 'REISE' -- it's travel; nothing else
