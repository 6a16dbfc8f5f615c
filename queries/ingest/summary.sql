-- Counts and amounts per category of one submission, for the ingest report.
SELECT
    (SELECT count(*) FROM receipts WHERE submission_id = $1),
    (SELECT count(*) FROM coordinators WHERE submission_id = $1),
    (SELECT count(*) FROM activities WHERE submission_id = $1),
    (SELECT count(*) FROM income WHERE submission_id = $1);
