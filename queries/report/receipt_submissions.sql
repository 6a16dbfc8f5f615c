-- How many current submissions one district ($4) has in year $1, quarters
-- $2..$3 (the arguments of receipts.sql). None: the district has no
-- receipts there, and receipts.sql is not asked. Asked anyway, it would
-- read every receipt of every district: DuckDB narrows the scan of the
-- receipts to the submissions its join finds (their ids' range), and with
-- no submission there is no range (at 400 districts × 20,000 lines, a
-- quarter not yet sent took 0.25 s a district instead of a millisecond).
SELECT count(*) FROM current_submissions WHERE year = $1 AND quarter BETWEEN $2 AND $3 AND district = $4;
