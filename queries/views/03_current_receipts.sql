-- Receipts of current submissions, with their submission's district, year
-- and quarter.
CREATE OR REPLACE VIEW current_receipts AS
SELECT r.*, s.district, s.year, s.quarter, s.file_name, s.received_at
FROM receipts r JOIN current_submissions s ON s.id = r.submission_id;
