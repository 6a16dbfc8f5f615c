-- Files already ingested with these exact bytes: an accepted one first (the
-- file is then a duplicate of it), then the latest rejected ones with where
-- each came from (a rejected record whose file is not yet in rejected/ is
-- the trace of a run that crashed after its commit).
SELECT id, outcome, stored_path, source_path
FROM submissions
WHERE sha256 = $1
ORDER BY outcome = 'accepted' DESC, id DESC;
