-- The files a district sent, or every file when $1 is empty, newest period
-- first: a file belongs to the inbox folder it arrived in (the sender),
-- else to the district it names, as the rejected folder and the status
-- matrix file it. A file that claims another district stays its sender's.
SELECT s.id, s.file_name, coalesce(s.inbox_district, s.district, '') AS sender,
       coalesce(s.district, ''), coalesce(s.year, 0), coalesce(s.quarter, 0),
       s.outcome = 'accepted', s.superseded_by IS NOT NULL, s.received_local, s.stored_path
FROM submissions s
WHERE $1 = '' OR coalesce(s.inbox_district, s.district) = $1
ORDER BY coalesce(s.year, 0) DESC, coalesce(s.quarter, 0) DESC, s.received_at DESC, s.id DESC;
