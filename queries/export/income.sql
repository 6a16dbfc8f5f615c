-- Every income line (Einnahmen) of an accepted submission with its
-- provenance and whether the latest run counted it (it lowers the grant).
COPY (
    SELECT s.year, s.district, s.quarter, i.submission_id, s.superseded_by IS NULL AS current, s.file_name, i.sheet, i.row_no,
           i.line_no, i.income_type, i.type_raw, i.received_date, i.source, i.purpose, i.amount, i.amount_raw, i.amount_cell,
           EXISTS (SELECT 1 FROM counted_income c WHERE c.submission_id = i.submission_id AND c.sheet = i.sheet AND c.row_no = i.row_no) AS counted
    FROM income i JOIN submissions s ON s.id = i.submission_id
    WHERE s.outcome = 'accepted'
) TO {dir} (FORMAT PARQUET, PARTITION_BY (year, district), OVERWRITE_OR_IGNORE);
