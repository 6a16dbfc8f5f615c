-- Files already ingested with these exact bytes: an accepted one first (the
-- file is then a duplicate of it, if the same district sent it), then the
-- latest rejected ones with where each came from (a rejected record whose
-- file is not yet in rejected/ is the trace of a run that crashed after its
-- commit). sender: the inbox folder it came through, else the district it
-- names.
SELECT id, outcome, stored_path, source_path, coalesce(inbox_district, district, '') AS sender
FROM submissions
WHERE sha256 = $1
ORDER BY outcome = 'accepted' DESC, id DESC;
