-- Every character from U+0001 to U+2FFFF but the surrogates, between two
-- letters, as DuckDB folds it for comparing receipt numbers (see
-- receiptno): for the test that grantpipe's own fold is at least as
-- coarse.
SELECT i, lower(trim(chr(i::INTEGER))), lower(trim('a' || chr(i::INTEGER) || 'b'))
FROM range(1, 196608) t(i)
WHERE i NOT BETWEEN 55296 AND 57343;
