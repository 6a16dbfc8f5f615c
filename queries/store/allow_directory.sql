-- For an export: DuckDB may write below {dir} (a quoted absolute path) and
-- nowhere else; external access is then switched off for good.
SET allowed_directories = [{dir}];
SET enable_external_access = false;
