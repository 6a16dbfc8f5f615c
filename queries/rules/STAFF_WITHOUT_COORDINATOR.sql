-- id: STAFF_WITHOUT_COORDINATOR
-- severity: error
-- phase: line
-- message_de: Personalkosten ({amount}) {reason_de}.
-- message_en: Staff costs ({amount}) {reason_en}.
-- Staff costs: the category the configuration marks staff = true. The last
-- salary may be paid up to a month after the end of employment. The staff
-- category is a semi join, since the programme has one category per code
-- and year. As an inner join it made DuckDB expect a handful of receipts
-- and build its hash table of the receipts instead of the coordinators
-- (2-5x the time at 10 M lines). The lines in breach are found first from
-- the columns that decide it, and only they are read again for the
-- message's columns (10 M lines: 0.20 -> 0.16 s).
WITH broken AS (
    SELECT r.submission_id, r.sheet, r.row_no, c.coordinator_id AS matched, c.start_date, c.end_date
    FROM current_receipts r
    SEMI JOIN cfg_categories k ON k.year = r.year AND k.code = r.category AND k.staff
    LEFT JOIN coordinators c ON c.submission_id = r.submission_id
         AND lower(trim(c.coordinator_id)) = lower(trim(r.coordinator_id))
    WHERE r.coordinator_id IS NULL OR c.coordinator_id IS NULL
       OR (r.payment_date IS NOT NULL AND c.start_date IS NOT NULL
           AND (r.payment_date < c.start_date OR r.payment_date > c.end_date + INTERVAL 1 MONTH))
),
staff AS (
    SELECT r.*, b.matched, b.start_date, b.end_date
    FROM broken b JOIN current_receipts r ON r.submission_id = b.submission_id AND r.sheet = b.sheet AND r.row_no = b.row_no
)
SELECT district, year, quarter, submission_id, sheet, coalesce(coordinator_id_cell, amount_cell) AS cell, row_no, amount,
       CASE WHEN coordinator_id IS NULL THEN 'ohne Kennung einer Koordinatorin bzw. eines Koordinators'
            WHEN matched IS NULL THEN 'für „' || coordinator_id || '“, die bzw. der auf dem Blatt Koordinatoren fehlt'
            ELSE 'für „' || coordinator_id || '“, gezahlt am ' || strftime(payment_date, '%d.%m.%Y') || ' außerhalb der Beschäftigung ('
                 || CASE WHEN end_date IS NULL THEN 'ab ' || strftime(start_date, '%d.%m.%Y')
                         ELSE strftime(start_date, '%d.%m.%Y') || ' bis ' || strftime(end_date, '%d.%m.%Y') END || ')' END AS reason_de,
       CASE WHEN coordinator_id IS NULL THEN 'without a coordinator ID'
            WHEN matched IS NULL THEN 'for “' || coordinator_id || '”, who is not on the Coordinators sheet'
            ELSE 'for “' || coordinator_id || '”, paid on ' || strftime(payment_date, '%Y-%m-%d') || ' outside the employment ('
                 || CASE WHEN end_date IS NULL THEN 'from ' || strftime(start_date, '%Y-%m-%d')
                         ELSE strftime(start_date, '%Y-%m-%d') || ' to ' || strftime(end_date, '%Y-%m-%d') END || ')' END AS reason_en
FROM staff
