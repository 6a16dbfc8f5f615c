-- receipt_key: the receipt number folded (white space at either end and
-- case ignored) and hashed with its submission's district and year
-- (receiptno.Key), written with the receipt; NULL when the number is
-- missing, that is nothing but white space. DUPLICATE_RECEIPT sorts these
-- 4-byte keys instead of folding and hashing every number on every run;
-- RECEIPT_MISSING tests them. Receipts stored before this column get their
-- keys in the same transaction, from Go (store.fillReceiptKeys), since the
-- fold is Go's.
ALTER TABLE receipts ADD COLUMN receipt_key UINTEGER;
