-- Every file ingested, accepted or rejected, oldest first, with where its
-- bytes are stored (which names its feedback workbook).
SELECT id, file_name, stored_path, outcome = 'accepted', received_local, received_at
FROM submissions ORDER BY received_at, id;
