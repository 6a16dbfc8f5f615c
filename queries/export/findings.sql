-- The findings of the latest validation run.
COPY (
    SELECT run_id, seq, rule, severity, coalesce(district, 'none') AS district, coalesce(year, 0) AS year, quarter, submission_id,
           file, sheet, cell, row_no, message_de, message_en
    FROM findings WHERE run_id = (SELECT max(id) FROM validation_runs)
) TO {dir} (FORMAT PARQUET, PARTITION_BY (year, district), OVERWRITE_OR_IGNORE);
