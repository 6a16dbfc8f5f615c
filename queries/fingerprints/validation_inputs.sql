-- What a validation run reads from the database, as one text to be hashed:
-- every submission with what can change about it (superseded, its times),
-- the reading findings (the feedback step adds and removes its FEEDBACK
-- note), and the imported payouts. The lines of a submission (receipts,
-- income, activities, narrative, staff) are written once with it and never
-- changed, so its id stands for them. Sums of hashes do not depend on the
-- order of the rows.
SELECT concat_ws('|',
    (SELECT count(*) || ':' || coalesce(sum(hash(id, sha256, outcome, district, year, quarter, received_at,
                                                   received_local, superseded_by, stored_path)), 0)
     FROM submissions),
    (SELECT count(*) || ':' || coalesce(sum(hash(submission_id, seq, rule, severity, sheet, cell, row_no,
                                                   message_key, message_de, message_en)), 0)
     FROM submission_findings),
    (SELECT count(*) || ':' || coalesce(sum(hash(reference, ags, payout_date, amount)), 0)
     FROM imported_payouts));
