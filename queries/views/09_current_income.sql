-- Income lines of current submissions, with their submission's district,
-- year, quarter and file (like current_receipts).
CREATE OR REPLACE VIEW current_income AS
SELECT i.*, s.district, s.year, s.quarter, s.file_name, s.received_at
FROM income i JOIN current_submissions s ON s.id = i.submission_id;
