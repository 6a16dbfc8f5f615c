-- id: DUPLICATE_RECEIPT
-- severity: error
-- phase: line
-- message_de: Die Belegnummer „{receipt_no}“ ({amount}) wurde bereits abgerechnet: {first_file}, Blatt {first_sheet}, Zelle {first_cell}.
-- message_en: Receipt number “{receipt_no}” ({amount}) was already claimed: {first_file}, sheet {first_sheet}, cell {first_cell}.
-- Within a district and year, over the submissions that count (replaced
-- versions excluded). The first claim stands; each later one is the finding.
-- Corrections (negative amounts) reuse the number on purpose and are not
-- counted. A number claimed twice is found by one 64-bit hash of the key
-- (district, year, number) per claim, sorted: a hash equal to the one
-- before it is used twice. Only the claims under those few hashes are then
-- read again, compared by the key itself (a hash two keys share finds
-- nothing) and ordered. At 10 M lines the sort took 0.5-0.7x the time of a
-- hash aggregate of the hashes (GROUP BY h HAVING count(*) > 1), which
-- builds a table of millions of groups that each hold one claim; the
-- claims are not a CTE read twice, which DuckDB would store whole. A
-- number is there when trimmed it is not empty; one that starts with a
-- printable ASCII character ('!' to '~') is not trimmed to test that (trim
-- was 0.15 s of 0.73 s at 10 M lines).
WITH twice AS (
    SELECT DISTINCT h
    FROM (SELECT h, lag(h) OVER (ORDER BY h) AS previous
          FROM (SELECT hash(r.district, r.year, lower(trim(r.receipt_no))) AS h
                FROM current_receipts r
                WHERE (r.receipt_no BETWEEN '!' AND '~' OR trim(r.receipt_no) <> '') AND r.amount > 0))
    WHERE h = previous
),
ranked AS (
    SELECT r.district, r.year, r.quarter, r.submission_id, r.sheet, r.row_no, r.receipt_no, r.receipt_no_cell, r.amount,
           row_number() OVER w AS n,
           first_value(r.file_name) OVER w AS first_file,
           first_value(r.sheet) OVER w AS first_sheet,
           first_value(r.receipt_no_cell) OVER w AS first_cell
    FROM current_receipts r SEMI JOIN twice t ON t.h = hash(r.district, r.year, lower(trim(r.receipt_no)))
    WHERE (r.receipt_no BETWEEN '!' AND '~' OR trim(r.receipt_no) <> '') AND r.amount > 0
    WINDOW w AS (PARTITION BY r.district, r.year, lower(trim(r.receipt_no))
                 ORDER BY r.quarter, r.received_at, r.submission_id, r.row_no
                 ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
)
SELECT district, year, quarter, submission_id, sheet, receipt_no_cell AS cell, row_no,
       receipt_no, amount, first_file, first_sheet, first_cell
FROM ranked
WHERE n > 1
