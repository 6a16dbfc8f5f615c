-- Among the accepted submissions of one district and quarter, the one received
-- last is current; every other one is marked as superseded by it. Run after
-- each accepted submission, so a file that arrives out of order (received
-- earlier than the current one) is itself marked superseded.
-- $1 district, $2 year, $3 quarter.
UPDATE submissions AS s
SET superseded_by = cur.id
FROM (
    SELECT id
    FROM submissions
    WHERE outcome = 'accepted' AND district = $1 AND year = $2 AND quarter = $3
    ORDER BY received_at DESC, id DESC
    LIMIT 1
) AS cur
WHERE s.outcome = 'accepted' AND s.district = $1 AND s.year = $2 AND s.quarter = $3
  AND s.id <> cur.id
  AND s.superseded_by IS DISTINCT FROM cur.id;
