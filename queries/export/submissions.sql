-- Every stored submission (accepted and rejected), partitioned by year and district.
COPY (
    SELECT id AS submission_id, sha256, file_name, outcome, coalesce(district, 'unknown') AS district, coalesce(year, 0) AS year, quarter,
           received_at, received_local, ingested_at, superseded_by, reader_version, stored_path
    FROM submissions
) TO {dir} (FORMAT PARQUET, PARTITION_BY (year, district), OVERWRITE_OR_IGNORE);
