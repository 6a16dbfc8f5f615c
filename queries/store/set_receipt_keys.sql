-- Sets the keys of receipts by row id: $1 the row ids, $2 their keys.
UPDATE receipts SET receipt_key = k.receipt_key
FROM (SELECT unnest($1::BIGINT[]) AS rid, unnest($2::UINTEGER[]) AS receipt_key) k
WHERE receipts.rowid = k.rid;
