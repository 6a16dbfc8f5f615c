-- Every file ingested, accepted or rejected, oldest first (so that of two
-- files with the same name the later one's feedback is written last).
SELECT id, file_name, stored_path, outcome = 'accepted', received_local, received_at
FROM submissions ORDER BY received_at, id;
