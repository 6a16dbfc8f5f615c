INSERT INTO submissions (
    id, sha256, file_name, source_path, inbox_district, outcome, stored_path,
    received_at, received_local, ingested_at, reader_version, size_bytes, date1904,
    district, year, quarter, district_name, file_number, contact, email, modified_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21);
